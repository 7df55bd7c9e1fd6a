package dev.tokenrefresher.worker.refresh;

import dev.tokenrefresher.common.database.DatabaseOutage;
import dev.tokenrefresher.common.messaging.DeadLetterFailedException;
import dev.tokenrefresher.common.messaging.PublishFailedException;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.springframework.amqp.AmqpException;
import org.springframework.retry.support.RetryTemplate;
import org.springframework.stereotype.Component;

/**
 * Retries the steps that must not be lost to a restart of PostgreSQL or RabbitMQ: publishing the next messages or a
 * dead letter, and a delivery's handling as a whole. (Storing tokens a provider has just issued has its own retry and
 * fallback, {@code IssuedTokensRecorder}.) Only failures of the infrastructure are retried; anything else is a bug and
 * fails at once.
 */
@Component
class InfrastructureRetry {

    private static final List<Class<? extends Throwable>> DATABASE_DOWN = DatabaseOutage.TYPES;
    private static final List<Class<? extends Throwable>> BROKER_DOWN = List.of(PublishFailedException.class,
            DeadLetterFailedException.class, AmqpException.class);

    /** Attempts of a whole delivery's handling when a step outside the retried ones met a database or broker outage. */
    private static final int DELIVERY_ATTEMPTS = 6;

    private final RetryTemplate broker;
    private final RetryTemplate delivery;

    InfrastructureRetry(WorkerProperties properties) {
        this.broker = RetryTemplate.builder().withTimeout(properties.brokerRetryTimeout())
                .exponentialBackoff(250, 2.0, 5_000, true).retryOn(BROKER_DOWN).traversingCauses().build();
        this.delivery = RetryTemplate.builder().maxAttempts(DELIVERY_ATTEMPTS).exponentialBackoff(500, 2.0, 5_000,
                true).retryOn(Stream.concat(DATABASE_DOWN.stream(), BROKER_DOWN.stream()).toList())
                .traversingCauses().build();
    }

    /** Whether a failure, or one of its causes, is the database being unreachable or briefly unable to answer. */
    static boolean isDatabaseDown(Throwable failure) {
        return DatabaseOutage.isOutage(failure);
    }

    /** The whole handling of one delivery, run again in place (claim included) while the infrastructure is down. */
    <T> T delivery(Supplier<T> handling) {
        return delivery.execute(context -> handling.get());
    }

    void broker(Runnable step) {
        broker.execute(context -> {
            step.run();
            return null;
        });
    }
}
