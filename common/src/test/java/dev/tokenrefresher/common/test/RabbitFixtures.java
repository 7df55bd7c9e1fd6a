package dev.tokenrefresher.common.test;

import dev.tokenrefresher.common.messaging.MessagingProperties;
import dev.tokenrefresher.common.messaging.RefresherTopology;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.Collection;
import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.Exchange;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;

/** RabbitMQ building blocks for tests that run without a Spring context. */
public final class RabbitFixtures {

    private RabbitFixtures() {
    }

    /** A connection factory for {@link TestServices}' broker with confirms and returns, as the apps configure it. */
    public static CachingConnectionFactory connectionFactory() {
        TestServices services = TestServices.get();
        CachingConnectionFactory factory = new CachingConnectionFactory(services.rabbitHost(), services.rabbitPort());
        factory.setUsername(services.rabbitUser());
        factory.setPassword(services.rabbitPassword());
        factory.setPublisherConfirmType(CachingConnectionFactory.ConfirmType.CORRELATED);
        factory.setPublisherReturns(true);
        return factory;
    }

    /**
     * A connection factory, with confirms and returns, for a port on this machine where nothing listens: every
     * connection attempt is refused at once, as with a broker that is down.
     */
    public static CachingConnectionFactory unreachableConnectionFactory() {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        CachingConnectionFactory factory = new CachingConnectionFactory("127.0.0.1", closedPort);
        factory.setPublisherConfirmType(CachingConnectionFactory.ConfirmType.CORRELATED);
        factory.setPublisherReturns(true);
        return factory;
    }

    /** Messaging settings of the JVM's default namespace. */
    public static MessagingProperties messagingProperties() {
        return messagingProperties(TestServices.get().defaultNamespace());
    }

    public static MessagingProperties messagingProperties(TestServices.Namespace namespace) {
        return new MessagingProperties(namespace.messagingPrefix(), null, null, null, null, null, null);
    }

    /** Declares the whole topology for these providers, and has it deleted when the JVM exits. */
    public static RefresherTopology declareTopology(CachingConnectionFactory factory, Collection<String> providers) {
        return declareTopology(factory, messagingProperties(), providers);
    }

    /** Declares the whole topology with these settings, and has it deleted when the JVM exits. */
    public static RefresherTopology declareTopology(CachingConnectionFactory factory, MessagingProperties properties,
            Collection<String> providers) {
        RefresherTopology topology = new RefresherTopology(properties);
        Declarables declarables = topology.declarables(providers);
        RabbitAdmin admin = new RabbitAdmin(factory);
        declarables.getDeclarablesByType(Exchange.class).forEach(admin::declareExchange);
        declarables.getDeclarablesByType(Queue.class).forEach(admin::declareQueue);
        declarables.getDeclarablesByType(Binding.class).forEach(admin::declareBinding);
        TestServices.get().deleteQueuesAtExit(providers);
        return topology;
    }
}
