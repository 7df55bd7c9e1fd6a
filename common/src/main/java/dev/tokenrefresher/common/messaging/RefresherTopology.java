package dev.tokenrefresher.common.messaging;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Declarable;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.ExchangeBuilder;
import org.springframework.amqp.core.FanoutExchange;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.amqp.core.TopicExchange;

/**
 * Declarations of every exchange and queue (their names come from {@link TopologyNames}), shared by the scheduler
 * and the workers, which both declare them (declaring is idempotent; a mismatch with an existing queue's arguments
 * fails the start, see {@link TopologyVerifier}).
 *
 * <pre>
 * {prefix}.delay.L00 .. L27   topic exchanges + quorum (or classic) queues, TTL 2^k s   (the delay ladder)
 * {prefix}.deliver            topic exchange: routes due messages by destination
 * {prefix}.refresh.{provider} quorum work queue per provider
 * {prefix}.dead               fanout exchange + quorum queue: dead letters
 * {prefix}.unarchived         fanout exchange + quorum queue: dead letters the archive could not store
 * {prefix}.parked             fanout exchange + quorum queue: hand-offs of issued tokens that could not be applied
 * {prefix}.events             topic exchange for connection events
 * {prefix}.issued             fanout exchange + quorum queue: issued tokens handed off while PostgreSQL was down
 * </pre>
 *
 * <p>Every quorum queue that has consumers states its delivery limit: RabbitMQ 4 gives quorum queues without one a
 * limit of 20 and drops a message past it when no dead-letter exchange is set, where 3.10 has no limit at all. The
 * ladder's levels have no consumers (messages leave them by TTL only), so no limit ever applies to them.
 */
public final class RefresherTopology {

    /**
     * How often the dead-letter queue delivers one letter before it moves it to {@link #unarchivedQueue()}. The archive
     * itself never requeues a letter on purpose: it holds it while PostgreSQL is down (no redelivery, nothing counted)
     * and moves a letter the database refuses to {@link #unarchivedQueue()} at once. Deliveries are counted only when a
     * letter comes back without an answer: the scheduler stopped or crashed holding it, the broker's consumer timeout
     * (30 minutes by default) ended a hold, or moving it aside failed. Bounded, so that a letter that kills its consumer
     * stops looping (RabbitMQ 4's default of 20 would be reached by 20 restarts during an outage; 3.10 has no limit).
     */
    public static final int DEAD_LETTER_DELIVERY_LIMIT = 1000;
    /** The unarchived and parked queues have no consumer of ours; the limit only bounds an operator's peeks. */
    public static final int PARKED_DELIVERY_LIMIT = 1000;
    /**
     * How often the hand-off queue gives out one message of issued tokens before it parks it: only a drain that failed
     * between fetching and acknowledging returns a message, so reaching this takes a thousand failed drains in a row.
     */
    public static final int HANDOFF_DELIVERY_LIMIT = 1000;

    private final TopologyNames names;
    private final int deliveryLimit;
    private final LadderQueueType ladderQueueType;
    /** {@code x-quorum-initial-group-size} of every quorum queue; 0: not stated, the broker's default. */
    private final int quorumInitialGroupSize;

    public RefresherTopology(MessagingProperties properties) {
        this.names = new TopologyNames(properties.prefix());
        this.deliveryLimit = properties.deliveryLimit();
        this.ladderQueueType = properties.ladderQueueType();
        this.quorumInitialGroupSize = properties.quorumInitialGroupSize();
    }

    public String levelName(int level) {
        return names.levelName(level);
    }

    public String deliveryExchange() {
        return names.deliveryExchange();
    }

    public String workQueue(String provider) {
        return names.workQueue(provider);
    }

    /** The destination routing key that brings a due message to the provider's work queue. */
    public static String destination(String provider) {
        return "refresh." + provider;
    }

    public String deadLetterExchange() {
        return names.deadLetterExchange();
    }

    public String deadLetterQueue() {
        return names.deadLetterQueue();
    }

    /**
     * Dead letters the archive could not store: the database refused the row (the reason in the header
     * {@code refresher-archive-error}), or the letter was delivered {@link #DEAD_LETTER_DELIVERY_LIMIT} times
     * ({@code x-first-death-reason: delivery_limit}). Read by operators, moved back to {@link #deadLetterExchange()}
     * once the cause is fixed. Apart from {@link #parkedQueue()} on purpose: that one holds encrypted tokens, which
     * must go back to the hand-off queue, never into the dead-letter archive.
     */
    public String unarchivedQueue() {
        return names.unarchivedQueue();
    }

    public String unarchivedExchange() {
        return names.unarchivedExchange();
    }

    /** Hand-offs of issued tokens the drain could not apply ({@code RefusedHandoffs}); read by operators. */
    public String parkedQueue() {
        return names.parkedQueue();
    }

    public String parkedExchange() {
        return names.parkedExchange();
    }

    public String eventsExchange() {
        return names.eventsExchange();
    }

    /** The installation's messaging prefix, which every name starts with. */
    public String prefix() {
        return names.prefix();
    }

    public String handoffExchange() {
        return names.handoffExchange();
    }

    public String handoffQueue() {
        return names.handoffQueue();
    }

    /** The exchange to publish a message with this delay to. */
    public String exchangeFor(long delaySeconds) {
        int level = DelayLadder.firstLevel(delaySeconds);
        return level < 0 ? deliveryExchange() : levelName(level);
    }

    /** Every exchange, queue and binding, for the given providers. */
    public Declarables declarables(Collection<String> providers) {
        List<Declarable> all = new ArrayList<>();
        TopicExchange delivery = ExchangeBuilder.topicExchange(deliveryExchange()).durable(true).build();
        all.add(delivery);
        TopicExchange lower = delivery;
        for (int level = 0; level < DelayLadder.DIGITS; level++) {
            TopicExchange exchange = ExchangeBuilder.topicExchange(levelName(level)).durable(true).build();
            Queue queue = levelQueue(level, lower.getName());
            all.add(exchange);
            all.add(queue);
            all.add(BindingBuilder.bind(queue).to(exchange).with(DelayLadder.pattern(level, '1')));
            all.add(BindingBuilder.bind(lower).to(exchange).with(DelayLadder.pattern(level, '0')));
            lower = exchange;
        }
        FanoutExchange parked = ExchangeBuilder.fanoutExchange(parkedExchange()).durable(true).build();
        Queue parkedQueue = quorum(parkedQueue()).deliveryLimit(PARKED_DELIVERY_LIMIT).build();
        all.add(parked);
        all.add(parkedQueue);
        all.add(BindingBuilder.bind(parkedQueue).to(parked));
        FanoutExchange unarchived = ExchangeBuilder.fanoutExchange(unarchivedExchange()).durable(true).build();
        Queue unarchivedQueue = quorum(unarchivedQueue()).deliveryLimit(PARKED_DELIVERY_LIMIT)
                .build();
        all.add(unarchived);
        all.add(unarchivedQueue);
        all.add(BindingBuilder.bind(unarchivedQueue).to(unarchived));
        FanoutExchange dead = ExchangeBuilder.fanoutExchange(deadLetterExchange()).durable(true).build();
        Queue deadQueue = quorum(deadLetterQueue())
                .deliveryLimit(DEAD_LETTER_DELIVERY_LIMIT)
                .deadLetterExchange(unarchivedExchange())
                // a letter moving to the unarchived queue is not dropped on the way (needs reject-publish, as the ladder)
                .withArgument("x-dead-letter-strategy", "at-least-once")
                .overflow(QueueBuilder.Overflow.rejectPublish)
                .build();
        all.add(dead);
        all.add(deadQueue);
        all.add(BindingBuilder.bind(deadQueue).to(dead));
        all.add(ExchangeBuilder.topicExchange(eventsExchange()).durable(true).build());
        FanoutExchange handoff = ExchangeBuilder.fanoutExchange(handoffExchange()).durable(true).build();
        // Polled, never consumed; a message that keeps failing to apply goes to the parked queue, not into the void.
        Queue handoffQueue = quorum(handoffQueue())
                .deliveryLimit(HANDOFF_DELIVERY_LIMIT)
                .deadLetterExchange(parkedExchange())
                .withArgument("x-dead-letter-strategy", "at-least-once")
                .overflow(QueueBuilder.Overflow.rejectPublish)
                .build();
        all.add(handoff);
        all.add(handoffQueue);
        all.add(BindingBuilder.bind(handoffQueue).to(handoff));
        for (String provider : providers) {
            Queue work = quorum(workQueue(provider))
                    .deliveryLimit(deliveryLimit)
                    .deadLetterExchange(deadLetterExchange())
                    .build();
            all.add(work);
            all.add(new Binding(work.getName(), Binding.DestinationType.QUEUE, deliveryExchange(),
                    DelayLadder.deliveryPattern(destination(provider)), null));
        }
        return new Declarables(all);
    }

    private Queue levelQueue(int level, String lowerExchange) {
        return switch (ladderQueueType) {
            case QUORUM -> quorum(levelName(level))
                    .withArguments(Map.of(
                            "x-message-ttl", DelayLadder.ttlMillis(level),
                            "x-dead-letter-exchange", lowerExchange,
                            // at-least-once dead-lettering silently degrades to at-most-once without reject-publish.
                            "x-dead-letter-strategy", "at-least-once",
                            "x-overflow", "reject-publish"))
                    .build();
            case CLASSIC -> QueueBuilder.durable(levelName(level))
                    .withArguments(Map.of(
                            "x-message-ttl", DelayLadder.ttlMillis(level),
                            "x-dead-letter-exchange", lowerExchange))
                    .build();
        };
    }

    /** A durable quorum queue, with the configured initial group size where one is stated. */
    private QueueBuilder quorum(String name) {
        QueueBuilder builder = QueueBuilder.durable(name).quorum();
        if (quorumInitialGroupSize > 0) {
            builder.withArgument("x-quorum-initial-group-size", quorumInitialGroupSize);
        }
        return builder;
    }

    /** Names of every queue, for tests and tools that clean up a prefix. */
    public List<String> queueNames(Collection<String> providers) {
        return names.queueNames(providers);
    }

    /** Names of every exchange, for tests and tools that clean up a prefix. */
    public List<String> exchangeNames() {
        return names.exchangeNames();
    }
}
