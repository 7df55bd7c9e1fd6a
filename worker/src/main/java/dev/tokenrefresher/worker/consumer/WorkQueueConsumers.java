package dev.tokenrefresher.worker.consumer;

import dev.tokenrefresher.common.messaging.RefresherTopology;
import dev.tokenrefresher.common.provider.ProviderRegistry;
import dev.tokenrefresher.common.provider.ProviderSettings;
import dev.tokenrefresher.worker.refresh.RefreshMessageHandler;
import dev.tokenrefresher.worker.refresh.WorkerProperties;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.AcknowledgeMode;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * One listener container per provider, on that provider's work queue, with the provider's concurrency: a slow or
 * failing provider never holds up another's refreshes.
 *
 * <p>Acknowledgement is automatic on return and a requeue on exception (see {@link RefreshMessageHandler}).
 */
@Component
class WorkQueueConsumers implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(WorkQueueConsumers.class);

    private final List<SimpleMessageListenerContainer> containers = new ArrayList<>();
    private volatile boolean running;

    WorkQueueConsumers(ConnectionFactory connectionFactory, ProviderRegistry providers, RefresherTopology topology,
            RefreshMessageHandler handler, WorkerProperties properties) {
        for (ProviderSettings provider : providers.all()) {
            if (properties.lease().compareTo(provider.requestTimeout()) <= 0) {
                throw new IllegalStateException("refresher.worker.lease (" + properties.lease()
                        + ") must be longer than refresher.providers." + provider.name() + ".request-timeout ("
                        + provider.requestTimeout() + "), or another worker could take over a refresh in flight");
            }
            SimpleMessageListenerContainer container = new SimpleMessageListenerContainer(connectionFactory);
            container.setQueueNames(topology.workQueue(provider.name()));
            container.setConcurrentConsumers(provider.concurrency());
            container.setPrefetchCount(properties.prefetch());
            container.setAcknowledgeMode(AcknowledgeMode.AUTO);
            container.setDefaultRequeueRejected(true);
            container.setMessageListener(message -> handler.handle(provider.name(), message));
            container.setBeanName("consumer-" + provider.name());
            container.afterPropertiesSet();
            containers.add(container);
        }
    }

    @Override
    public void start() {
        containers.forEach(SimpleMessageListenerContainer::start);
        running = true;
        log.info("consuming {} work queue(s)", containers.size());
    }

    @Override
    public void stop() {
        containers.forEach(SimpleMessageListenerContainer::stop);
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Start after everything else (the topology is declared on the first connection), stop first. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 100;
    }
}
