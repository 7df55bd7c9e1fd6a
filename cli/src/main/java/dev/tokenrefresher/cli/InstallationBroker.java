package dev.tokenrefresher.cli;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Address;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.PossibleAuthenticationFailureException;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * One installation's queues and exchanges, over AMQP directly (the apps may be stopped): whether each exists, and
 * deleting it. AMQP cannot list a broker's queues, so the names are asked for one by one, which also means nothing is
 * ever matched by a pattern.
 */
final class InstallationBroker implements AutoCloseable {

    /**
     * Where the broker is. The password is used to connect and appears nowhere else.
     *
     * @param addresses {@code host:port}, or a cluster's nodes comma-separated, tried in order
     */
    record BrokerCoordinates(String addresses, String user, String password, String virtualHost) {

        String shown() {
            return "RabbitMQ at " + addresses + " (virtual host " + virtualHost + ") as user " + user;
        }
    }

    enum Kind {
        QUEUE, EXCHANGE;

        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A queue or exchange as found; messages and consumers are counted for an existing queue only. */
    record Found(Kind kind, String name, boolean exists, long messages, long consumers) {
    }

    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;

    @FunctionalInterface
    private interface ChannelCall<T> {
        T on(Channel channel) throws IOException;
    }

    private final BrokerCoordinates broker;
    private final Connection connection;

    private InstallationBroker(BrokerCoordinates broker, Connection connection) {
        this.broker = broker;
        this.connection = connection;
    }

    static InstallationBroker connect(BrokerCoordinates broker) {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUsername(broker.user());
        factory.setPassword(broker.password());
        factory.setVirtualHost(broker.virtualHost());
        factory.setConnectionTimeout(CONNECT_TIMEOUT_MILLIS);
        factory.setHandshakeTimeout(CONNECT_TIMEOUT_MILLIS);
        factory.setAutomaticRecoveryEnabled(false);
        try {
            return new InstallationBroker(broker, factory.newConnection(Address.parseAddresses(broker.addresses()),
                    "refresherctl admin teardown"));
        } catch (PossibleAuthenticationFailureException e) {
            throw new CliException(CliException.API_ERROR, "cannot log in to " + broker.shown() + ": " + e
                    .getMessage());
        } catch (IOException | TimeoutException e) {
            throw new CliException(CliException.UNREACHABLE, "cannot connect to " + broker.shown() + ": " + (e
                    .getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        }
    }

    Found queue(String name) {
        return passive(Kind.QUEUE, name, channel -> channel.queueDeclarePassive(name))
                .map(ok -> new Found(Kind.QUEUE, name, true, ok.getMessageCount(), ok.getConsumerCount()))
                .orElse(new Found(Kind.QUEUE, name, false, 0, 0));
    }

    Found exchange(String name) {
        return passive(Kind.EXCHANGE, name, channel -> channel.exchangeDeclarePassive(name))
                .map(ok -> new Found(Kind.EXCHANGE, name, true, 0, 0))
                .orElse(new Found(Kind.EXCHANGE, name, false, 0, 0));
    }

    /** Deletes it whatever it holds: the caller has checked that nobody consumes from it. */
    void delete(Found found) {
        call(found.kind(), found.name(), channel -> found.kind() == Kind.QUEUE
                ? channel.queueDelete(found.name())
                : channel.exchangeDelete(found.name()));
    }

    /** The declare-ok, or empty where the broker answers 404 (which closes the channel, hence one per question). */
    private <T> Optional<T> passive(Kind kind, String name, ChannelCall<T> declare) {
        return Optional.ofNullable(call(kind, name, channel -> {
            try {
                return declare.on(channel);
            } catch (IOException e) {
                if (e.getCause() instanceof ShutdownSignalException shutdown && shutdown
                        .getReason() instanceof AMQP.Channel.Close close && close.getReplyCode() == AMQP.NOT_FOUND) {
                    return null;
                }
                throw e;
            }
        }));
    }

    private <T> T call(Kind kind, String name, ChannelCall<T> call) {
        Channel channel = null;
        try {
            channel = connection.createChannel();
            return call.on(channel);
        } catch (IOException | ShutdownSignalException e) {
            Throwable reason = e.getCause() instanceof ShutdownSignalException shutdown ? shutdown : e;
            throw new CliException(CliException.API_ERROR, kind + " " + name + ": " + broker.shown() + " answered "
                    + reason.getMessage());
        } finally {
            closeQuietly(channel);
        }
    }

    private static void closeQuietly(Channel channel) {
        if (channel == null || !channel.isOpen()) {
            return;
        }
        try {
            channel.close();
        } catch (IOException | TimeoutException | AlreadyClosedException e) {
            // the channel is done with either way; the connection's close ends it at the latest
        }
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (IOException | AlreadyClosedException e) {
            // nothing left to do with a connection that is going away
        }
    }
}
