package dev.tokenrefresher.worker.consumer;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.MetricsCollector;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.amqp.rabbit.connection.AbstractConnectionFactory;
import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * Counts, per work queue, the deliveries this worker holds unacknowledged: handed to its consumers by the broker,
 * whether still in a consumer's prefetch buffer or in a batch being refreshed, and not yet acknowledged or requeued.
 *
 * <p>The broker counts these as the queue's unacknowledged messages, but tells AMQP clients only the ready ones (the
 * {@code message_count} of {@code queue.declare-ok}, checked on 3.10 for quorum and classic queues alike); the
 * unacknowledged count needs the management plugin. The worker sees every delivery, ack and channel close of its own
 * on the RabbitMQ client's {@link MetricsCollector} hook, so it counts them itself: wrapped around the collector Spring
 * Boot installs (which keeps its {@code rabbitmq_*} meters), on the connection factory before it opens a connection.
 * Deliveries are told apart from other traffic by their consumer tag, which {@link #consumerTag} issues per queue.
 */
class HeldDeliveries implements BeanPostProcessor {

    private final Map<String, AtomicLong> heldByQueue = new ConcurrentHashMap<>();
    /** Our consumers' tags, to their queue; a tag leaves when its consumer is cancelled or its channel closes. */
    private final Map<String, String> queueByConsumerTag = new ConcurrentHashMap<>();
    private final Map<Channel, ChannelDeliveries> channels = new ConcurrentHashMap<>();
    private final AtomicLong consumers = new AtomicLong();

    /** The deliveries of one channel not yet settled, by delivery tag, and the consumer tags it carries. */
    private record ChannelDeliveries(ConcurrentSkipListMap<Long, String> queueByDeliveryTag, Set<String> consumerTags) {

        ChannelDeliveries() {
            this(new ConcurrentSkipListMap<>(), ConcurrentHashMap.newKeySet());
        }
    }

    /** A consumer tag for a new consumer of {@code queue} (a consumer tag strategy). */
    String consumerTag(String queue) {
        String tag = "refresher-worker-" + consumers.incrementAndGet();
        queueByConsumerTag.put(tag, queue);
        return tag;
    }

    /** Deliveries of {@code queue} this worker holds unacknowledged right now. */
    long held(String queue) {
        AtomicLong held = heldByQueue.get(queue);
        return held == null ? 0 : held.get();
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (bean instanceof AbstractConnectionFactory factory) {
            com.rabbitmq.client.ConnectionFactory rabbit = factory.getRabbitConnectionFactory();
            rabbit.setMetricsCollector(new Collector(rabbit.getMetricsCollector()));
        }
        return bean;
    }

    private void delivered(Channel channel, long deliveryTag, String consumerTag) {
        String queue = queueByConsumerTag.get(consumerTag);
        if (queue != null) {
            channels.computeIfAbsent(channel, c -> new ChannelDeliveries()).queueByDeliveryTag().put(deliveryTag,
                    queue);
            heldByQueue.computeIfAbsent(queue, q -> new AtomicLong()).incrementAndGet();
        }
    }

    private void settled(Channel channel, long deliveryTag, boolean multiple) {
        ChannelDeliveries deliveries = channels.get(channel);
        if (deliveries == null) {
            return;
        }
        if (multiple) {
            deliveries.queueByDeliveryTag().headMap(deliveryTag, true).keySet().forEach(tag -> release(deliveries,
                    tag));
        } else {
            release(deliveries, deliveryTag);
        }
    }

    /** The broker requeues every unacknowledged delivery of a channel that closes. */
    private void closed(Channel channel) {
        ChannelDeliveries deliveries = channels.remove(channel);
        if (deliveries != null) {
            deliveries.queueByDeliveryTag().keySet().forEach(tag -> release(deliveries, tag));
            deliveries.consumerTags().forEach(queueByConsumerTag::remove);
        }
    }

    private void release(ChannelDeliveries deliveries, long deliveryTag) {
        // remove() answers the queue once per tag: an ack racing a channel close is counted down once
        String queue = deliveries.queueByDeliveryTag().remove(deliveryTag);
        if (queue != null) {
            heldByQueue.get(queue).decrementAndGet();
        }
    }

    /** Boot's collector, told everything as before, and this count beside it. */
    private final class Collector implements MetricsCollector {

        private final MetricsCollector delegate;

        Collector(MetricsCollector delegate) {
            this.delegate = delegate;
        }

        @Override
        public void newConnection(Connection connection) {
            delegate.newConnection(connection);
        }

        @Override
        public void closeConnection(Connection connection) {
            delegate.closeConnection(connection);
        }

        @Override
        public void newChannel(Channel channel) {
            delegate.newChannel(channel);
            // a closing connection closes its channels, and each one's listeners hear it
            channel.addShutdownListener(cause -> closed(channel));
        }

        @Override
        public void closeChannel(Channel channel) {
            delegate.closeChannel(channel);
        }

        @Override
        public void basicPublish(Channel channel) {
            delegate.basicPublish(channel);
        }

        @Override
        public void basicPublishFailure(Channel channel, Throwable cause) {
            delegate.basicPublishFailure(channel, cause);
        }

        @Override
        public void basicPublishAck(Channel channel, long deliveryTag, boolean multiple) {
            delegate.basicPublishAck(channel, deliveryTag, multiple);
        }

        @Override
        public void basicPublishNack(Channel channel, long deliveryTag, boolean multiple) {
            delegate.basicPublishNack(channel, deliveryTag, multiple);
        }

        @Override
        public void basicPublishUnrouted(Channel channel) {
            delegate.basicPublishUnrouted(channel);
        }

        @Override
        public void consumedMessage(Channel channel, long deliveryTag, boolean autoAck) {
            // basic.get: no consumer of ours
            delegate.consumedMessage(channel, deliveryTag, autoAck);
        }

        @Override
        public void consumedMessage(Channel channel, long deliveryTag, String consumerTag) {
            delegate.consumedMessage(channel, deliveryTag, consumerTag);
            delivered(channel, deliveryTag, consumerTag);
        }

        @Override
        public void basicAck(Channel channel, long deliveryTag, boolean multiple) {
            delegate.basicAck(channel, deliveryTag, multiple);
            settled(channel, deliveryTag, multiple);
        }

        @Override
        public void basicNack(Channel channel, long deliveryTag) {
            delegate.basicNack(channel, deliveryTag);
            settled(channel, deliveryTag, false);
        }

        /**
         * The client passes {@code requeue} here, not {@code multiple}: a nack is counted as one delivery, which is
         * what {@code WorkQueueConsumers} sends (one nack per requeued delivery).
         */
        @Override
        public void basicNack(Channel channel, long deliveryTag, boolean requeue) {
            delegate.basicNack(channel, deliveryTag, requeue);
            settled(channel, deliveryTag, false);
        }

        @Override
        public void basicReject(Channel channel, long deliveryTag) {
            delegate.basicReject(channel, deliveryTag);
            settled(channel, deliveryTag, false);
        }

        @Override
        public void basicReject(Channel channel, long deliveryTag, boolean requeue) {
            // the flag is requeue, not multiple: one delivery either way
            delegate.basicReject(channel, deliveryTag, requeue);
            settled(channel, deliveryTag, false);
        }

        @Override
        public void basicConsume(Channel channel, String consumerTag, boolean autoAck) {
            delegate.basicConsume(channel, consumerTag, autoAck);
            if (queueByConsumerTag.containsKey(consumerTag)) {
                channels.computeIfAbsent(channel, c -> new ChannelDeliveries()).consumerTags().add(consumerTag);
            }
        }

        @Override
        public void basicCancel(Channel channel, String consumerTag) {
            delegate.basicCancel(channel, consumerTag);
            // its deliveries stay held until acknowledged or the channel closes; no new ones come for this tag
            queueByConsumerTag.remove(consumerTag);
        }
    }
}
