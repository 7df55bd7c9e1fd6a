package dev.tokenrefresher.worker.refresh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import dev.tokenrefresher.common.connection.Claim;
import dev.tokenrefresher.common.connection.ClaimResult;
import dev.tokenrefresher.common.connection.ConnectionStore;
import dev.tokenrefresher.common.connection.Rescheduled;
import dev.tokenrefresher.common.handoff.IssuedTokensRecorder;
import dev.tokenrefresher.common.messaging.DeadLetterPublisher;
import dev.tokenrefresher.common.messaging.RefreshMessage;
import dev.tokenrefresher.common.messaging.RefreshMessageCodec;
import dev.tokenrefresher.common.provider.ProviderProperties;
import dev.tokenrefresher.common.provider.ProviderRegistry;
import dev.tokenrefresher.common.provider.ProvidersProperties;
import dev.tokenrefresher.common.test.SettableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import tools.jackson.databind.ObjectMapper;

/**
 * What the worker counts when it claims a connection and its refresh starts: how late it is, and whether the access
 * token had expired by then. The claim is scripted; the clock is the test's.
 */
class RefreshStartTest {

    private static final String PROVIDER = "quickbooks";

    private final SettableClock clock = new SettableClock(Instant.parse("2026-12-01T10:00:00Z"));
    private final GroupedConnectionWrites writes = mock(GroupedConnectionWrites.class);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final RefreshMessageCodec codec = new RefreshMessageCodec(new ObjectMapper());
    private final ProviderRefresh providerRefresh = mock(ProviderRefresh.class);
    private final UndecryptableClaims undecryptable = mock(UndecryptableClaims.class);
    private final ConnectionStore store = mock(ConnectionStore.class);
    private final RefreshMessageHandler handler;

    RefreshStartTest() {
        LeaseBudgets leaseBudgets = mock(LeaseBudgets.class);
        when(leaseBudgets.leaseFloor(anyString())).thenReturn(Duration.ofSeconds(70));
        handler = new RefreshMessageHandler(codec, writes, mock(DeadLetterPublisher.class), providerRefresh,
                new RefreshMetrics(meters, new ProviderRegistry(new ProvidersProperties(Map
                        .of(PROVIDER,
                                new ProviderProperties("quickbooks", null, "id", "secret", null, null, null, null, null,
                                        null, null, null, null))))),
                mock(IssuedTokensRecorder.class), new WorkerProperties(
                        "test-worker", null, null, null, null, null, null, null, null, null, null,
                        null, null, null, null, null, null, null, null),
                leaseBudgets, clock, undecryptable, store);
    }

    @Test
    void aRefreshThatStartsAfterTheAccessTokenExpiredIsCountedForItsProvider() {
        start(Duration.ofSeconds(40), clock.instant().minusSeconds(5));

        assertThat(afterExpiry()).isEqualTo(1);
        assertThat(meters.get("refresher.refresh.lateness").timer().max(TimeUnit.SECONDS))
                .isEqualTo(40);
    }

    @Test
    void aLateRefreshWhoseAccessTokenIsStillValidIsOnlyLate() {
        start(Duration.ofSeconds(40), clock.instant().plusSeconds(1));

        assertThat(afterExpiry()).isZero();
        assertThat(meters.get("refresher.refresh.lateness").timer().count()).isEqualTo(1);
    }

    @Test
    void aClaimWhoseRefreshTokenCannotBeDecryptedIsParkedAndTheProviderIsNotCalled() {
        UUID connectionId = UUID.randomUUID();
        ClaimResult.Undecryptable claim = new ClaimResult.Undecryptable(new Claim(connectionId, "tenant", PROVIDER, 7,
                "test-worker", clock.instant().plusSeconds(120), Duration.ofSeconds(120), null, new byte[]{1}, clock
                        .instant().plusSeconds(600),
                null, 0, null, null),
                "cannot decrypt connection/" + connectionId + "/refresh_token: encrypted with key 'k0', which is not "
                        + "configured");
        when(writes.claim(any())).thenReturn(claim);
        RefreshMessage message = new RefreshMessage(connectionId, 7, clock.instant(), 0);
        MessageProperties properties = new MessageProperties();
        properties.setMessageId(message.messageId());
        RefreshOutbox outbox = new RefreshOutbox();

        handler.handle(PROVIDER, new Message(codec.encode(message), properties), outbox);

        verify(undecryptable).park(claim, message, outbox);
        verifyNoInteractions(providerRefresh);
    }

    /**
     * A worker recorded a refresh's outcome (the fence moved) and died before it published the next message and
     * acknowledged the delivery: the broker redelivers it, one fence behind. The chain is published again at the
     * row's due time; without this it waited for the sweep's grace.
     */
    @Test
    void aRedeliveredMessageOneFenceBehindPublishesTheChainAgainAtTheRowsDueTime() {
        UUID connectionId = UUID.randomUUID();
        Instant due = clock.instant().plusSeconds(30);
        when(writes.claim(any())).thenReturn(new ClaimResult.StaleFence(8));
        when(store.republish(connectionId, 8, clock.instant())).thenReturn(Optional.of(new Rescheduled(
                connectionId, PROVIDER, 9, due)));
        RefreshOutbox outbox = new RefreshOutbox();

        handler.handle(PROVIDER, delivery(new RefreshMessage(connectionId, 7, clock.instant(), 2), true), outbox);

        assertThat(outbox.next()).isNotNull();
        assertThat(outbox.next().message()).isEqualTo(new RefreshMessage(connectionId, 9, due, 2));
        verifyNoInteractions(providerRefresh);
    }

    @Test
    void aStaleMessageDeliveredForTheFirstTimeOrTwoFencesBehindIsOnlyDropped() {
        UUID connectionId = UUID.randomUUID();
        when(writes.claim(any())).thenReturn(new ClaimResult.StaleFence(8));

        handler.handle(PROVIDER, delivery(new RefreshMessage(connectionId, 7, clock.instant(), 0), false),
                new RefreshOutbox());
        handler.handle(PROVIDER, delivery(new RefreshMessage(connectionId, 6, clock.instant(), 0), true),
                new RefreshOutbox());

        verifyNoInteractions(store);
        assertThat(meters.get("refresher.messages.dropped").tags("provider", PROVIDER, "reason", "stale_fence")
                .counter().count()).isEqualTo(2);
    }

    private Message delivery(RefreshMessage message, boolean redelivered) {
        MessageProperties properties = new MessageProperties();
        properties.setMessageId(message.messageId());
        properties.setRedelivered(redelivered);
        return new Message(codec.encode(message), properties);
    }

    /** Delivers a message due {@code late} ago for a connection whose access token expires at {@code expiresAt}. */
    private void start(Duration late, Instant expiresAt) {
        UUID connectionId = UUID.randomUUID();
        when(writes.claim(any())).thenReturn(new ClaimResult.Claimed(new Claim(connectionId, "tenant", PROVIDER, 7,
                "test-worker", clock.instant().plusSeconds(120), Duration.ofSeconds(120), "sbx_rt_token", new byte[]{
                        1},
                expiresAt, null, 0, null, null)));
        MessageProperties properties = new MessageProperties();
        properties.setMessageId("m-1");
        handler.handle(PROVIDER, new Message(codec.encode(new RefreshMessage(connectionId, 7, clock.instant().minus(
                late), 0)), properties), new RefreshOutbox());
    }

    private double afterExpiry() {
        return meters.get("refresher.refresh.after_expiry").tag("provider", PROVIDER).counter().count();
    }
}
