package dev.tokenrefresher.common.messaging;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * RabbitMQ settings shared by the scheduler and the workers ({@code refresher.messaging.*}).
 *
 * @param prefix the first part of every exchange and queue name (default {@value #DEFAULT_PREFIX}); separate
 *            installations, or test runs, sharing one broker use different prefixes
 * @param deliveryLimit how often a quorum work queue delivers one message before it dead-letters it (default
 *            {@value #DEFAULT_DELIVERY_LIMIT}); ends crash loops on a message that kills its consumer
 * @param confirmTimeout how long a publish waits for the broker's confirm before it counts as failed (default 10 s)
 * @param ladderQueueType the queue type of the delay ladder's levels (default {@code quorum}); see
 *            {@link LadderQueueType}. Changing it for an existing installation needs its level queues deleted first:
 *            RabbitMQ refuses to redeclare a queue with another type.
 */
@ConfigurationProperties("refresher.messaging")
public record MessagingProperties(String prefix, Integer deliveryLimit, Duration confirmTimeout,
        LadderQueueType ladderQueueType) {

    public static final String DEFAULT_PREFIX = "refresher";
    public static final int DEFAULT_DELIVERY_LIMIT = 20;
    public static final Duration DEFAULT_CONFIRM_TIMEOUT = Duration.ofSeconds(10);

    public MessagingProperties {
        prefix = prefix == null || prefix.isBlank() ? DEFAULT_PREFIX : prefix;
        deliveryLimit = deliveryLimit == null ? DEFAULT_DELIVERY_LIMIT : deliveryLimit;
        confirmTimeout = confirmTimeout == null ? DEFAULT_CONFIRM_TIMEOUT : confirmTimeout;
        ladderQueueType = ladderQueueType == null ? LadderQueueType.QUORUM : ladderQueueType;
        if (!prefix.matches("[A-Za-z0-9_.-]{1,100}")) {
            throw new IllegalArgumentException("refresher.messaging.prefix must be 1 to 100 of [A-Za-z0-9_.-], was '"
                    + prefix + "'");
        }
        if (deliveryLimit < 1) {
            throw new IllegalArgumentException("refresher.messaging.delivery-limit must be at least 1, was "
                    + deliveryLimit);
        }
    }
}
