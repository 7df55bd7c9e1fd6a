package dev.tokenrefresher.worker.refresh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;

import dev.tokenrefresher.common.messaging.ConnectionEventPublisher;
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
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;

/**
 * Issue 19: a delivery never waits for another's provider call. The handling of each delivery is scripted (some are
 * held until the test lets them go, standing for a provider call that hangs); publishing and the clock are the test's.
 */
class RefreshDispatcherTest {

    private static final String PROVIDER = "quickbooks";
    private static final int CONCURRENCY = 3;

    private final RefreshMessageHandler handler = mock(RefreshMessageHandler.class);
    private final Map<String, CountDownLatch> held = new ConcurrentHashMap<>();
    private final Map<String, Verdict> settled = new ConcurrentHashMap<>();
    private final Set<String> handled = ConcurrentHashMap.newKeySet();
    private final StopSignal stop = new StopSignal();
    private final RefreshDispatcher dispatcher;

    RefreshDispatcherTest() {
        ProviderRegistry providers = new ProviderRegistry(new ProvidersProperties(Map.of(PROVIDER,
                new ProviderProperties(null, URI.create("http://127.0.0.1:9/token"), "id", "secret", null, null,
                        CONCURRENCY, Duration.ofSeconds(2), null, null, null, null, null))));
        WorkerProperties properties = new WorkerProperties("test-worker", null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, Duration.ofMillis(100), null, null, null);
        doAnswer(invocation -> {
            Message delivery = invocation.getArgument(1);
            handled.add(delivery.getMessageProperties().getMessageId());
            CountDownLatch hold = held.get(delivery.getMessageProperties().getMessageId());
            if (hold != null) {
                hold.await(30, TimeUnit.SECONDS);
            }
            return null;
        }).when(handler).handle(anyString(), any(), any());
        dispatcher = new RefreshDispatcher(handler, mock(RefreshPublisher.class), mock(
                ConnectionEventPublisher.class), new InfrastructureRetry(properties),
                new SettableClock(Instant
                        .parse("2026-12-01T10:00:00Z")),
                new RefreshMetrics(new SimpleMeterRegistry(), providers),
                providers, stop);
    }

    @AfterEach
    void releaseAndClose() {
        held.values().forEach(CountDownLatch::countDown);
        dispatcher.close();
    }

    @Test
    void aDeliveryIsSettledAsSoonAsItIsDoneWhileAnotherOfItsBatchStillHangs() {
        hold("hanging");

        dispatch("hanging");
        dispatch("quick-1");
        dispatch("quick-2");

        await().atMost(Duration.ofSeconds(5)).until(() -> settled.containsKey("quick-1") && settled.containsKey(
                "quick-2"));
        assertThat(settled).doesNotContainKey("hanging");
        assertThat(settled.get("quick-1")).isEqualTo(Verdict.ACK);
        release("hanging");
        await().atMost(Duration.ofSeconds(5)).until(() -> settled.containsKey("hanging"));
    }

    @Test
    void aDeliveryBeyondTheProvidersConcurrencyWaitsForAnyRefreshToFinishNotForTheSlowestOne() {
        hold("hanging-1");
        hold("hanging-2");
        hold("slow");
        dispatch("hanging-1");
        dispatch("hanging-2");
        dispatch("slow");
        assertThat(dispatcher.inFlight(PROVIDER)).isEqualTo(CONCURRENCY);

        Thread waiting = Thread.ofVirtual().start(() -> dispatch("next"));
        // dispatching beyond the concurrency blocks, for as long as every refresh in flight goes on
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(waiting::isAlive);
        release("slow");

        await().atMost(Duration.ofSeconds(5)).until(() -> settled.containsKey("next"));
        assertThat(settled).containsOnlyKeys("slow", "next");
        assertThat(dispatcher.inFlight(PROVIDER)).isEqualTo(2);
    }

    @Test
    void aDeliveryWhoseHandlingFailsForGoodIsRequeuedAndTheOthersGoOn() {
        doAnswer(invocation -> {
            Message delivery = invocation.getArgument(1);
            if (delivery.getMessageProperties().getMessageId().equals("broken")) {
                throw new IllegalStateException("a bug in the handling");
            }
            return null;
        }).when(handler).handle(anyString(), any(), any());

        dispatch("broken");
        dispatch("fine");

        await().atMost(Duration.ofSeconds(5)).until(() -> settled.size() == 2);
        assertThat(settled).containsEntry("broken", Verdict.REQUEUE).containsEntry("fine", Verdict.ACK);
    }

    /**
     * Issue 20 point 8: a stopping worker starts nothing more, lets what is under way finish, and has settled all of it
     * when {@code awaitSettled} says so, before any channel is closed.
     */
    @Test
    void aStoppingWorkerStartsNoNewDeliveryAndSettlesEveryRefreshUnderWayBeforeItSaysSo() throws Exception {
        hold("under-way-1");
        hold("under-way-2");
        hold("under-way-3");
        dispatch("under-way-1");
        dispatch("under-way-2");
        dispatch("under-way-3");
        Thread waiting = Thread.ofVirtual().start(() -> dispatch("waiting-for-a-place"));
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(waiting::isAlive);

        dispatcher.stopTaking();

        // the delivery that waited for a place gives up at once: not started, not settled (the channel's close
        // returns it to the queue)
        assertThat(waiting.join(Duration.ofSeconds(2))).isTrue();
        dispatch("after-the-stop");
        assertThat(stop.raised()).isTrue();
        assertThat(dispatcher.notStarted()).isEqualTo(2);
        assertThat(dispatcher.awaitHandled(Duration.ofMillis(200))).as("handled while three still hang").isFalse();

        release("under-way-1");
        release("under-way-2");
        release("under-way-3");
        assertThat(dispatcher.awaitHandled(Duration.ofSeconds(5))).isTrue();
        assertThat(dispatcher.awaitSettled(Duration.ofSeconds(5))).isTrue();
        // no waiting here: settled means settled, so the consumers may close their channels now
        assertThat(settled).containsOnly(Map.entry("under-way-1", Verdict.ACK), Map.entry("under-way-2",
                Verdict.ACK), Map.entry("under-way-3", Verdict.ACK));
        assertThat(handled).doesNotContain("waiting-for-a-place", "after-the-stop");
        assertThat(dispatcher.inFlight()).isZero();
    }

    /**
     * A provider whose breaker opened is paused in the same order: nothing more is started, what is under way is
     * handled and settled before its consumers may close their channels; a resume starts deliveries again, and does
     * not touch the worker's stop signal (the fast retries of the other providers go on).
     */
    @Test
    void aPausedProviderStartsNoNewDeliverySettlesWhatWasUnderWayAndStartsAgainOnResume() throws Exception {
        hold("under-way");
        dispatch("under-way");

        dispatcher.pause(PROVIDER);
        dispatch("while-paused");

        assertThat(dispatcher.notStarted()).isEqualTo(1);
        assertThat(dispatcher.awaitHandled(PROVIDER, Duration.ofMillis(200))).as("handled while one still hangs")
                .isFalse();
        release("under-way");
        assertThat(dispatcher.awaitHandled(PROVIDER, Duration.ofSeconds(5))).isTrue();
        assertThat(dispatcher.awaitSettled(PROVIDER, Duration.ofSeconds(5))).isTrue();
        assertThat(settled).containsOnly(Map.entry("under-way", Verdict.ACK));
        assertThat(handled).doesNotContain("while-paused");
        assertThat(stop.raised()).as("a pause is not a stop").isFalse();

        dispatcher.resume(PROVIDER);
        dispatch("after-the-resume");

        await().atMost(Duration.ofSeconds(5)).until(() -> settled.containsKey("after-the-resume"));
        assertThat(dispatcher.notStarted()).isEqualTo(1);
    }

    @Test
    void aResumeAfterTheWorkerBeganToStopStartsNothing() {
        dispatcher.pause(PROVIDER);
        dispatcher.stopTaking();

        dispatcher.resume(PROVIDER);
        dispatch("after-the-stop");

        assertThat(handled).doesNotContain("after-the-stop");
        assertThat(dispatcher.notStarted()).isEqualTo(1);
    }

    @Test
    void pausingAProviderThatIsNotConfiguredNamesIt() {
        assertThatThrownBy(() -> dispatcher.pause("xero")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("xero");
    }

    private void hold(String messageId) {
        held.put(messageId, new CountDownLatch(1));
    }

    private void release(String messageId) {
        held.get(messageId).countDown();
    }

    private void dispatch(String messageId) {
        MessageProperties properties = new MessageProperties();
        properties.setMessageId(messageId);
        dispatcher.dispatch(PROVIDER, new Message(new byte[0], properties), verdict -> settled.put(messageId,
                verdict));
    }
}
