package dev.tokenrefresher.common.messaging;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.ShutdownSignalException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.beans.factory.SmartInitializingSingleton;

/**
 * Declares the topology once while the app starts and fails the start if the broker refuses it. Left to itself, Spring
 * AMQP declares on every new connection, logs a refusal and carries on: an app whose dead-letter queue was declared
 * by an older version with other arguments started, answered health checks, and never archived a letter. Only such a
 * refusal stops the start; an unreachable broker does not: the topology is declared when the connection comes.
 */
final class TopologyVerifier implements SmartInitializingSingleton {

    private static final Logger log = LoggerFactory.getLogger(TopologyVerifier.class);
    private static final int PRECONDITION_FAILED = 406;

    private final AmqpAdmin admin;

    TopologyVerifier(AmqpAdmin admin) {
        this.admin = admin;
    }

    @Override
    public void afterSingletonsInstantiated() {
        try {
            admin.initialize();
        } catch (AmqpException e) {
            Optional<String> refusal = preconditionFailed(e);
            if (refusal.isPresent()) {
                throw new TopologyMismatchException(refusal.get(), e);
            }
            // unreachable, restarting, refusing the login: as before this check, the app starts and Spring AMQP
            // declares the topology on the first connection that works
            log.warn("could not declare the RabbitMQ topology at start-up ({}); it is declared once the broker "
                    + "answers", e.getMessage());
        }
    }

    /** The broker's reply text if it closed the channel with PRECONDITION_FAILED somewhere in this chain. */
    static Optional<String> preconditionFailed(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ShutdownSignalException signal
                    && signal.getReason() instanceof AMQP.Channel.Close close
                    && close.getReplyCode() == PRECONDITION_FAILED) {
                return Optional.of(close.getReplyText());
            }
        }
        return Optional.empty();
    }
}
