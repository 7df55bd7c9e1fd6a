package dev.tokenrefresher.worker.refresh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import dev.tokenrefresher.common.messaging.ConnectionEventPublisher;
import dev.tokenrefresher.common.messaging.PublishFailedException;
import dev.tokenrefresher.common.messaging.RefreshMessage;
import dev.tokenrefresher.common.messaging.RefreshPublisher;
import dev.tokenrefresher.common.provider.ProviderProperties;
import dev.tokenrefresher.common.provider.ProviderRegistry;
import dev.tokenrefresher.common.provider.ProvidersProperties;
import dev.tokenrefresher.common.test.SettableClock;
import dev.tokenrefresher.worker.refresh.RefreshDispatcher.Verdict;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The publish and acknowledge steps of a refresh: what a handled delivery's verdict is, given which of its messages
 * the broker confirmed. The publisher is scripted; the broker retry gives up after 100 ms.
 */
class ReadySettlerTest {

    private static final String PROVIDER = "quickbooks";
    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

    private final RefreshPublisher publisher = mock(RefreshPublisher.class);
    private final Map<String, Verdict> settled = new ConcurrentHashMap<>();
    private final ReadySettler settler;

    ReadySettlerTest() {
        ProviderRegistry providers = new ProviderRegistry(new ProvidersProperties(Map.of(PROVIDER,
                new ProviderProperties(null, URI.create("http://127.0.0.1:9/token"), "id", "secret", null, null, null,
                        Duration.ofSeconds(2), null, null, null, null, null))));
        WorkerProperties properties = new WorkerProperties("test-worker", null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, Duration.ofMillis(100), null, null, null);
        settler = new ReadySettler(PROVIDER, publisher, mock(ConnectionEventPublisher.class), new InfrastructureRetry(
                properties), new SettableClock(NOW), new RefreshMetrics(new SimpleMeterRegistry(), providers));
    }

    @AfterEach
    void close() {
        settler.close();
    }

    @Test
    void aDeliveryWhoseMessagesWereConfirmedIsAcknowledged() {
        when(publisher.publishAll(anyList(), any())).thenReturn(List.of());

        settler.finished(withNext(message(3)), verdict -> settled.put("refreshed", verdict));

        await().atMost(Duration.ofSeconds(5)).until(() -> settled.containsKey("refreshed"));
        assertThat(settled).containsEntry("refreshed", Verdict.ACK);
    }

    @Test
    void anUnconfirmedReDelayRequeuesItsDeliveryButAnUnconfirmedNextMessageDoesNot() {
        RefreshMessage redelayed = message(5);
        RefreshMessage next = message(7);
        List<PublishFailedException> unconfirmed = List.of(failure(redelayed), failure(next));
        when(publisher.publishAll(anyList(), any())).thenReturn(unconfirmed);

        RefreshOutbox leased = new RefreshOutbox();
        leased.redelay(PROVIDER, redelayed);
        settler.finished(leased, verdict -> settled.put("leased", verdict));
        settler.finished(withNext(next), verdict -> settled.put("refreshed", verdict));

        await().atMost(Duration.ofSeconds(5)).until(() -> settled.size() == 2);
        // the re-delay is the delivery itself coming back: unconfirmed, the chain would end; the next message's due
        // time is in the row, and the sweep re-enqueues it
        assertThat(settled).containsEntry("leased", Verdict.REQUEUE).containsEntry("refreshed", Verdict.ACK);
    }

    @Test
    void aDeliveryThatFailedIsRequeuedAndOneThatCannotBeSettledDoesNotStopTheOthers() {
        when(publisher.publishAll(anyList(), any())).thenReturn(List.of());

        settler.finished(null, verdict -> settled.put("failed", verdict));
        settler.finished(withNext(message(2)), verdict -> {
            throw new IllegalStateException("channel closed");
        });
        settler.finished(withNext(message(4)), verdict -> settled.put("after", verdict));

        await().atMost(Duration.ofSeconds(5)).until(() -> settled.size() == 2);
        assertThat(settled).containsEntry("failed", Verdict.REQUEUE).containsEntry("after", Verdict.ACK);
    }

    /** Issue 20 point 8: a stopping worker closes its channels only once this says every delivery is settled. */
    @Test
    void awaitSettledReturnsOnlyOnceEveryDeliveryQueuedBeforeItIsSettledAndWaitsNoLongerThanItMay()
            throws Exception {
        CountDownLatch confirms = new CountDownLatch(1);
        when(publisher.publishAll(anyList(), any())).thenAnswer(invocation -> {
            confirms.await(10, TimeUnit.SECONDS);
            return List.of();
        });
        settler.finished(withNext(message(2)), verdict -> settled.put("first", verdict));
        settler.finished(withNext(message(4)), verdict -> settled.put("second", verdict));

        // the broker has not confirmed yet: nothing is settled, and the wait gives up when its time is up
        assertThat(settler.awaitSettled(Duration.ofMillis(200))).isFalse();
        assertThat(settled).isEmpty();

        confirms.countDown();
        assertThat(settler.awaitSettled(Duration.ofSeconds(5))).isTrue();
        assertThat(settled).containsOnly(Map.entry("first", Verdict.ACK), Map.entry("second", Verdict.ACK));
    }

    private static RefreshOutbox withNext(RefreshMessage next) {
        RefreshOutbox outbox = new RefreshOutbox();
        outbox.next(PROVIDER, next);
        return outbox;
    }

    private static RefreshMessage message(long fence) {
        return new RefreshMessage(UUID.randomUUID(), fence, NOW, 0);
    }

    private static PublishFailedException failure(RefreshMessage message) {
        PublishFailedException failure = mock(PublishFailedException.class);
        when(failure.connectionId()).thenReturn(message.connectionId());
        when(failure.fence()).thenReturn(message.fence());
        return failure;
    }
}
