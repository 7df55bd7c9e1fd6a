package dev.tokenrefresher.worker.consumer;

import dev.tokenrefresher.common.messaging.DeadLetterFailedException;
import dev.tokenrefresher.common.messaging.PublishFailedException;
import dev.tokenrefresher.common.messaging.RefresherTopology;
import dev.tokenrefresher.common.provider.ProviderRegistry;
import dev.tokenrefresher.common.provider.ProviderSettings;
import dev.tokenrefresher.worker.refresh.RefreshMessageHandler;
import dev.tokenrefresher.worker.refresh.WorkerProperties;
import dev.tokenrefresher.worker.resilience.ProviderGuards;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.aopalliance.aop.Advice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.AcknowledgeMode;
import org.springframework.amqp.rabbit.config.RetryInterceptorBuilder;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.amqp.rabbit.retry.ImmediateRequeueMessageRecoverer;
import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.retry.policy.SimpleRetryPolicy;
import org.springframework.stereotype.Component;

/**
 * One listener container per provider, on that provider's work queue, with the provider's concurrency: a slow or
 * failing provider never holds up another's refreshes.
 *
 * <p>The provider's circuit breaker drives its container: OPEN stops it, so that during an outage messages wait in
 * the queue and no attempt is burnt; HALF_OPEN starts it again for the probe calls; CLOSED keeps it running.
 *
 * <p>Acknowledgement is automatic on return. When the database or the broker is briefly unreachable the handler is
 * run again in place (spring-retry, exponential back-off); after that the message is requeued, and the quorum queue's
 * delivery limit ends a crash loop.
 */
@Component
class WorkQueueConsumers implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(WorkQueueConsumers.class);
    private static final int INFRASTRUCTURE_RETRIES = 6;

    private final Map<String, SimpleMessageListenerContainer> containers = new LinkedHashMap<>();
    private final Map<String, CircuitBreaker> breakers = new LinkedHashMap<>();
    /** Containers are started and stopped off the listener threads: a container cannot stop from its own thread. */
    private final ExecutorService control = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("consumer-control").daemon().factory());
    private volatile boolean running;

    WorkQueueConsumers(ConnectionFactory connectionFactory, ProviderRegistry providers, RefresherTopology topology,
            RefreshMessageHandler handler, ProviderGuards guards, WorkerProperties properties) {
        for (ProviderSettings provider : providers.all()) {
            var longestCall = properties.longestCallTime(provider.requestTimeout());
            if (properties.lease().compareTo(longestCall) <= 0) {
                throw new IllegalStateException("refresher.worker.lease (" + properties.lease()
                        + ") must be longer than the longest call to provider " + provider.name() + " (" + longestCall
                        + ": fast-retries x request-timeout plus back-off), or another worker could take over a refresh "
                        + "in flight");
            }
            SimpleMessageListenerContainer container = new SimpleMessageListenerContainer(connectionFactory);
            container.setQueueNames(topology.workQueue(provider.name()));
            container.setConcurrentConsumers(provider.concurrency());
            container.setPrefetchCount(properties.prefetch());
            container.setAcknowledgeMode(AcknowledgeMode.AUTO);
            container.setDefaultRequeueRejected(true);
            container.setAdviceChain(infrastructureRetry());
            container.setMessageListener(message -> handler.handle(provider.name(), message));
            container.setBeanName("consumer-" + provider.name());
            container.afterPropertiesSet();
            containers.put(provider.name(), container);
            CircuitBreaker breaker = guards.of(provider.name()).circuitBreaker();
            breakers.put(provider.name(), breaker);
            breaker.getEventPublisher().onStateTransition(event -> control.execute(() -> follow(provider.name(),
                    event.getStateTransition().getToState())));
        }
    }

    private static Advice infrastructureRetry() {
        SimpleRetryPolicy policy = new SimpleRetryPolicy(INFRASTRUCTURE_RETRIES, Map.of(
                DataAccessResourceFailureException.class, true, TransientDataAccessException.class, true,
                RecoverableDataAccessException.class, true, AmqpException.class, true, PublishFailedException.class,
                true,
                DeadLetterFailedException.class, true), true);
        return RetryInterceptorBuilder.stateless()
                .retryPolicy(policy)
                .backOffOptions(500, 2.0, 5_000)
                .recoverer(new ImmediateRequeueMessageRecoverer())
                .build();
    }

    private void follow(String provider, CircuitBreaker.State state) {
        if (!running) {
            return;
        }
        SimpleMessageListenerContainer container = containers.get(provider);
        switch (state) {
            case OPEN, FORCED_OPEN -> {
                log.warn("provider {} circuit breaker {}: pausing its consumers; messages wait in the queue", provider,
                        state);
                container.stop();
            }
            case HALF_OPEN, CLOSED, DISABLED, METRICS_ONLY -> {
                if (!container.isRunning()) {
                    log.info("provider {} circuit breaker {}: consuming again", provider, state);
                    container.start();
                }
            }
        }
    }

    @Override
    public void start() {
        running = true;
        containers.forEach((provider, container) -> follow(provider, breakers.get(provider).getState()));
        log.info("consuming {} work queue(s)", containers.size());
    }

    @Override
    public void stop() {
        running = false;
        containers.values().forEach(SimpleMessageListenerContainer::stop);
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
