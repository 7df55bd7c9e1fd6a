package dev.tokenrefresher.scheduler.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import dev.tokenrefresher.common.messaging.MessagingProperties;
import dev.tokenrefresher.common.messaging.RefresherTopology;
import dev.tokenrefresher.common.provider.ProviderProperties;
import dev.tokenrefresher.common.provider.ProviderRegistry;
import dev.tokenrefresher.common.provider.ProvidersProperties;
import dev.tokenrefresher.common.test.SettableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.AmqpConnectException;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.QueueInformation;

class WorkQueueWatchTest {

    private static final String PROVIDER = "quickbooks";
    private static final Duration INTERVAL = Duration.ofMinutes(1);

    private final SettableClock clock = new SettableClock(Instant.parse("2026-12-07T10:00:00Z"));
    private final AmqpAdmin admin = mock(AmqpAdmin.class);
    private final RefresherTopology topology = new RefresherTopology(new MessagingProperties("watch-test", null, null,
            null, null, null, null));
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final WorkQueueWatch watch = new WorkQueueWatch(admin, topology, new ProviderRegistry(
            new ProvidersProperties(Map.of(PROVIDER, new ProviderProperties(null, URI.create(
                    "http://127.0.0.1:9/token"), "id", "secret", null, null, null, null, null, null, null, null,
                    null)))),
            registry, clock);

    @Test
    void aQueueDrainedNowAndAtAnEarlierLookGivesThatEarlierLookAsEvidence() {
        queue(2, 0);
        Instant first = clock.instant();
        assertThat(watch.lookNow(first)).as("the first look proves nothing yet").isEmpty();

        clock.advance(INTERVAL);
        assertThat(watch.lookNow(clock.instant())).containsExactly(Map.entry(PROVIDER, first));
        assertThat(registry.get("refresher.sweep.drained.age").tag("provider", PROVIDER).gauge().value()).isZero();
    }

    @Test
    void aQueueWhoseConsumersAreStoppedIsNeverEvidenceHoweverEmpty() {
        queue(0, 0);
        watch.lookNow(clock.instant());
        clock.advance(INTERVAL);

        assertThat(watch.lookNow(clock.instant())).isEmpty();
        assertThat(registry.get("refresher.sweep.drained.age").tag("provider", PROVIDER).gauge().value()).isNaN();
    }

    @Test
    void aBacklogNowWithholdsTheEarlierLookUntilTheQueueIsDrainedAgain() {
        queue(2, 0);
        Instant drained = clock.instant();
        watch.lookNow(drained);

        // an outage: the breaker stopped the consumers, and what they held is ready in the queue again
        clock.advance(INTERVAL);
        queue(0, 500);
        assertThat(watch.lookNow(clock.instant())).isEmpty();
        clock.advance(INTERVAL);
        queue(2, 300);
        assertThat(watch.lookNow(clock.instant())).isEmpty();

        clock.advance(INTERVAL);
        queue(2, 0);
        assertThat(watch.lookNow(clock.instant())).containsExactly(Map.entry(PROVIDER, drained));
        assertThat(registry.get("refresher.sweep.drained.age").tag("provider", PROVIDER).gauge().value()).isZero();
    }

    @Test
    void anUnreachableBrokerGivesNoEvidence() {
        queue(2, 0);
        watch.lookNow(clock.instant());
        clock.advance(INTERVAL);
        when(admin.getQueueInfo(topology.workQueue(PROVIDER))).thenThrow(new AmqpConnectException(
                new java.net.ConnectException("refused")));

        assertThat(watch.lookNow(clock.instant())).isEmpty();
        assertThat(registry.get("refresher.sweep.drained.age").tag("provider", PROVIDER).gauge().value())
                .isEqualTo(INTERVAL.toSeconds());
    }

    private void queue(int consumers, long ready) {
        String queue = topology.workQueue(PROVIDER);
        when(admin.getQueueInfo(queue)).thenReturn(new QueueInformation(queue, ready, consumers));
    }
}
