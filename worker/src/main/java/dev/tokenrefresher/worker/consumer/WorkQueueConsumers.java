package dev.tokenrefresher.worker.consumer;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ShutdownSignalException;
import dev.tokenrefresher.common.messaging.RefresherTopology;
import dev.tokenrefresher.common.provider.ProviderRegistry;
import dev.tokenrefresher.common.provider.ProviderSettings;
import dev.tokenrefresher.worker.refresh.RefreshDispatcher;
import dev.tokenrefresher.worker.refresh.RefreshDispatcher.Verdict;
import dev.tokenrefresher.worker.refresh.WorkerProperties;
import dev.tokenrefresher.worker.resilience.ProviderGuards;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.AcknowledgeMode;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.amqp.rabbit.listener.api.ChannelAwareBatchMessageListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * One listener container per provider, on that provider's work queue, with the provider's concurrency: a slow or
 * failing provider never holds up another's refreshes.
 *
 * <p>The provider's circuit breaker drives its container: OPEN stops it, so that during an outage messages wait in
 * the queue and no attempt is burnt; HALF_OPEN starts it again for the probe calls; CLOSED keeps it running. The stop
 * on OPEN takes the steps of a worker's stop ({@link GracefulStop}) for that provider alone: no new delivery of it is
 * started, its refreshes under way finish and are settled on their open channels, and only then does the container
 * close them. Stopping the container first, as before, acknowledged those refreshes on closed channels
 * ({@code PRECONDITION_FAILED - unknown delivery tag}, and a redelivery of each).
 *
 * <p>Deliveries come in batches ({@code refresher.worker.batch-size}, {@code batch-wait}) only to save wake-ups: each is
 * dispatched at once and settled (acknowledged, or requeued) when it is done, whatever the others of its batch do
 * ({@link RefreshDispatcher}); a requeued message counts towards the quorum queue's delivery limit, which ends a crash
 * loop.
 */
@Component
class WorkQueueConsumers implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(WorkQueueConsumers.class);

    private final Map<String, SimpleMessageListenerContainer> containers = new LinkedHashMap<>();
    private final Map<String, CircuitBreaker> breakers = new LinkedHashMap<>();
    /** Containers are started and stopped off the listener threads: a container cannot stop from its own thread. */
    private final ExecutorService control = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("consumer-control").daemon().factory());
    private final RefreshDispatcher dispatcher;
    private final Duration shutdownGrace;
    private final Clock clock;
    private volatile boolean running;

    WorkQueueConsumers(ConnectionFactory connectionFactory, ProviderRegistry providers, RefresherTopology topology,
            RefreshDispatcher dispatcher, ProviderGuards guards, WorkerProperties properties, HeldDeliveries held,
            MeterRegistry registry, Clock clock) {
        this.dispatcher = dispatcher;
        this.shutdownGrace = properties.shutdownGrace();
        this.clock = clock;
        for (ProviderSettings provider : providers.all()) {
            // the lease was checked against the provider's worst case by LeaseBudgets
            String queue = topology.workQueue(provider.name());
            Gauge.builder("refresher.queue.unacknowledged", held, counts -> counts.held(queue))
                    .description("Deliveries of a work queue this worker holds unacknowledged (prefetched or in a "
                            + "batch)")
                    .tag("queue", queue)
                    .tag("provider", provider.name())
                    .register(registry);
            SimpleMessageListenerContainer container = new SimpleMessageListenerContainer(connectionFactory);
            container.setQueueNames(queue);
            container.setConsumerTagStrategy(held::consumerTag);
            container.setConcurrentConsumers(properties.consumersFor(provider.concurrency()));
            container.setConsumerBatchEnabled(true);
            container.setBatchSize(properties.batchSizeFor(provider.concurrency()));
            container.setReceiveTimeout(properties.batchWait().toMillis());
            container.setBatchReceiveTimeout(properties.batchWait().toMillis());
            container.setPrefetchCount(properties.prefetchFor(provider.concurrency()));
            // each delivery is settled when it is done, from the dispatcher's settler; the container must not ack
            container.setAcknowledgeMode(AcknowledgeMode.MANUAL);
            container.setMessageListener((ChannelAwareBatchMessageListener) (batch, channel) -> batch.forEach(
                    delivery -> dispatcher.dispatch(provider.name(), delivery, verdict -> settle(delivery, verdict,
                            channel))));
            container.setBeanName("consumer-" + provider.name());
            container.afterPropertiesSet();
            containers.put(provider.name(), container);
            CircuitBreaker breaker = guards.of(provider.name()).circuitBreaker();
            breakers.put(provider.name(), breaker);
            breaker.getEventPublisher().onStateTransition(event -> control.execute(() -> follow(provider.name(),
                    event.getStateTransition().getToState())));
        }
    }

    /**
     * Acknowledges or requeues one handled delivery on the channel it came on. Called from the provider's settler
     * thread while the consumer goes on receiving: the client serialises the frames of a channel.
     */
    private static void settle(Message delivery, Verdict verdict, Channel channel) {
        long tag = delivery.getMessageProperties().getDeliveryTag();
        try {
            if (verdict == Verdict.ACK) {
                channel.basicAck(tag, false);
            } else {
                channel.basicNack(tag, false, true);
            }
        } catch (IOException | ShutdownSignalException e) {
            // the channel closed meanwhile (the consumer stopped, the connection dropped): the broker has requeued the
            // delivery itself, and its fence tells the next handler that the refresh is done
            log.debug("delivery {} could not be settled on its closed channel: {}", tag, e.toString());
        }
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
                pause(provider, container);
            }
            case HALF_OPEN, CLOSED, DISABLED, METRICS_ONLY -> {
                dispatcher.resume(provider);
                if (!container.isRunning()) {
                    log.info("provider {} circuit breaker {}: consuming again", provider, state);
                    container.start();
                }
            }
        }
    }

    /** Stops one provider's consumers in the order of a worker's stop, within the same grace period. */
    private void pause(String provider, SimpleMessageListenerContainer container) {
        GracefulStop.Outcome outcome = GracefulStop.run(new GracefulStop.Steps() {
            @Override
            public void stopTaking() {
                dispatcher.pause(provider);
            }

            @Override
            public boolean awaitHandled(Duration within) throws InterruptedException {
                return dispatcher.awaitHandled(provider, within);
            }

            @Override
            public boolean awaitSettled(Duration within) throws InterruptedException {
                return dispatcher.awaitSettled(provider, within);
            }

            @Override
            public void closeConsumers() {
                container.stop();
            }
        }, shutdownGrace, clock);
        if (outcome.clean()) {
            log.info("provider {}: consumers paused after {} ms, every refresh under way handled and settled",
                    provider, outcome.took().toMillis());
        } else {
            log.warn("provider {}: its consumers closed after {} ms with {} refresh(es) still under way or unsettled "
                    + "(refresher.worker.shutdown-grace {} ms)", provider, outcome.took().toMillis(),
                    dispatcher.inFlight(provider), shutdownGrace.toMillis());
        }
    }

    @Override
    public void start() {
        running = true;
        containers.forEach((provider, container) -> follow(provider, breakers.get(provider).getState()));
        log.info("consuming {} work queue(s)", containers.size());
    }

    /**
     * Stops consuming in the order of {@link GracefulStop}, within {@code refresher.worker.shutdown-grace}: no new
     * delivery is started, the refreshes under way finish and are settled on their open channels, and only then do the
     * containers cancel their consumers and close their channels. Synchronous: Spring's
     * {@code spring.lifecycle.timeout-per-shutdown-phase} bounds only asynchronous stops, so the grace is this one.
     */
    @Override
    public void stop() {
        running = false;
        int inFlight = dispatcher.inFlight();
        log.info("stopping: no new delivery is started; {} refresh(es) under way get up to {} ms to finish and be "
                + "settled", inFlight, shutdownGrace.toMillis());
        GracefulStop.Outcome outcome = GracefulStop.run(new GracefulStop.Steps() {
            @Override
            public void stopTaking() {
                dispatcher.stopTaking();
            }

            @Override
            public boolean awaitHandled(Duration within) throws InterruptedException {
                return dispatcher.awaitHandled(within);
            }

            @Override
            public boolean awaitSettled(Duration within) throws InterruptedException {
                return dispatcher.awaitSettled(within);
            }

            @Override
            public void closeConsumers() {
                containers.values().forEach(SimpleMessageListenerContainer::stop);
            }
        }, shutdownGrace, clock);
        long took = outcome.took().toMillis();
        if (outcome.clean()) {
            log.info("stopped consuming after {} ms: every refresh under way handled and settled; {} deliveries not "
                    + "started went back to the queue", took, dispatcher.notStarted());
        } else {
            // their deliveries go back to the queue with the channels; their claims end with their leases
            log.warn("stopped consuming after {} ms with {} refresh(es) still under way or unsettled: "
                    + "refresher.worker.shutdown-grace ({} ms) ran out (is PostgreSQL or RabbitMQ unreachable?)", took,
                    dispatcher.inFlight(), shutdownGrace.toMillis());
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /**
     * Start after everything else (the topology is declared on the first connection), stop first: the refreshes under
     * way still need the database, the broker and the hand-off while they finish.
     */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 100;
    }
}
