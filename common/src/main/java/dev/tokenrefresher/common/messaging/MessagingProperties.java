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
 * @param ladderEarlyFraction how much of a delay the ladder may cut short to pass fewer levels (default
 *            {@value #DEFAULT_LADDER_EARLY_FRACTION}, i.e. 1/16; 0 delivers to the second; below 0.5): the delay loses
 *            its lowest binary digits while they add up to no more than this share of it, and the message is due that
 *            much earlier. A 50-minute delay passes 3 levels instead of 7 and its refresh comes 3 minutes early; delays
 *            under 16 s are not changed. Every level is a dead-letter transfer between quorum queues, about 0.3 ms
 *            of the broker's CPU here (docs/benchmark-optimisations.md, section 12).
 * @param eventProbeInterval how often an event type nobody subscribes to is still published (default 1 s; 0 publishes
 *            every event): events go out with the mandatory flag, and once the broker returns one because no queue is
 *            bound to its routing key, events with that key are dropped for this long, then one goes out again to see
 *            whether a queue was bound meanwhile. Publishing every {@code refreshed} event that nobody reads cost a
 *            worker a tenth of its CPU (docs/benchmark-optimisations.md, section 14); a queue bound later receives the
 *            key's events from at most this long after.
 * @param quorumInitialGroupSize how many replicas (cluster nodes) each quorum queue is declared with, as
 *            {@code x-quorum-initial-group-size} (default {@value #DEFAULT_QUORUM_INITIAL_GROUP_SIZE}: the argument is
 *            not stated and the broker's own default applies, {@code quorum_cluster_size}, which is 3 on RabbitMQ 3.10;
 *            a single node caps either at 1). On a three-node cluster the default already gives every queue three
 *            replicas (docs/operations.md, "Running on a RabbitMQ cluster"); state a size for a larger cluster. It is
 *            an argument of the queue that RabbitMQ compares on every redeclaration: changing it, or stating it for the
 *            first time, for an existing installation needs its queues deleted first (as for the ladder queue type),
 *            else the start fails with {@code PRECONDITION_FAILED - inequivalent arg 'x-quorum-initial-group-size'}.
 */
@ConfigurationProperties("refresher.messaging")
public record MessagingProperties(String prefix, Integer deliveryLimit, Duration confirmTimeout,
        LadderQueueType ladderQueueType, Double ladderEarlyFraction, Duration eventProbeInterval,
        Integer quorumInitialGroupSize) {

    public static final String DEFAULT_PREFIX = "refresher";
    public static final int DEFAULT_DELIVERY_LIMIT = 20;
    public static final Duration DEFAULT_CONFIRM_TIMEOUT = Duration.ofSeconds(10);
    public static final double DEFAULT_LADDER_EARLY_FRACTION = 0.0625;
    public static final Duration DEFAULT_EVENT_PROBE_INTERVAL = Duration.ofSeconds(1);
    /** Not stated: the broker's default group size applies. */
    public static final int DEFAULT_QUORUM_INITIAL_GROUP_SIZE = 0;

    public MessagingProperties {
        prefix = prefix == null || prefix.isBlank() ? DEFAULT_PREFIX : prefix;
        deliveryLimit = deliveryLimit == null ? DEFAULT_DELIVERY_LIMIT : deliveryLimit;
        confirmTimeout = confirmTimeout == null ? DEFAULT_CONFIRM_TIMEOUT : confirmTimeout;
        ladderQueueType = ladderQueueType == null ? LadderQueueType.QUORUM : ladderQueueType;
        ladderEarlyFraction = ladderEarlyFraction == null ? DEFAULT_LADDER_EARLY_FRACTION : ladderEarlyFraction;
        eventProbeInterval = eventProbeInterval == null ? DEFAULT_EVENT_PROBE_INTERVAL : eventProbeInterval;
        quorumInitialGroupSize = quorumInitialGroupSize == null
                ? DEFAULT_QUORUM_INITIAL_GROUP_SIZE
                : quorumInitialGroupSize;
        if (!TopologyNames.PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("refresher.messaging.prefix must be 1 to 100 of [A-Za-z0-9_.-], was '"
                    + prefix + "'");
        }
        if (deliveryLimit < 1) {
            throw new IllegalArgumentException("refresher.messaging.delivery-limit must be at least 1, was "
                    + deliveryLimit);
        }
        if (!(ladderEarlyFraction >= 0 && ladderEarlyFraction < 0.5)) {
            throw new IllegalArgumentException("refresher.messaging.ladder-early-fraction must be at least 0 and below "
                    + "0.5, was " + ladderEarlyFraction);
        }
        if (eventProbeInterval.isNegative()) {
            throw new IllegalArgumentException("refresher.messaging.event-probe-interval must not be negative, was "
                    + eventProbeInterval);
        }
        if (quorumInitialGroupSize < 0) {
            throw new IllegalArgumentException("refresher.messaging.quorum-initial-group-size must not be negative "
                    + "(0 leaves it to the broker), was " + quorumInitialGroupSize);
        }
    }
}
