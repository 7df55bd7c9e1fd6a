package dev.tokenrefresher.worker.refresh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import dev.tokenrefresher.common.connection.AttemptRecord;
import dev.tokenrefresher.common.connection.ChainEnds;
import dev.tokenrefresher.common.connection.Claim;
import dev.tokenrefresher.common.connection.ConnectionClaims;
import dev.tokenrefresher.common.connection.ConnectionStore;
import dev.tokenrefresher.common.connection.PendingDeadLetters;
import dev.tokenrefresher.common.connection.RefreshOutcomes;
import dev.tokenrefresher.common.handoff.IssuedTokensRecorder;
import dev.tokenrefresher.common.messaging.ConnectionEvent;
import dev.tokenrefresher.common.messaging.DeadLetter;
import dev.tokenrefresher.common.messaging.DeadLetterPublisher;
import dev.tokenrefresher.common.messaging.RefreshMessage;
import dev.tokenrefresher.common.messaging.RefreshMessageCodec;
import dev.tokenrefresher.common.provider.ErrorClass;
import dev.tokenrefresher.common.provider.LateTokenRevocation;
import dev.tokenrefresher.common.provider.ProviderProperties;
import dev.tokenrefresher.common.provider.ProviderRegistry;
import dev.tokenrefresher.common.provider.ProviderSettings;
import dev.tokenrefresher.common.provider.ProvidersProperties;
import dev.tokenrefresher.common.provider.RefreshResult;
import dev.tokenrefresher.common.test.SettableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import tools.jackson.databind.ObjectMapper;

/**
 * How the worker names the end of a chain whose refresh token the provider refused (issue 18, point 7): an
 * {@code invalid_grant} that follows an answer lost with the same token (the provider had rotated it) ends the chain as
 * {@code answer_lost_after_rotation}, never as a plain {@code invalid_grant}; a failure that cannot have rotated leaves
 * the refusal as it is. How it retries a call the provider may still be serving (issue 19, point 2), and how it counts
 * delayed attempts (issue 20, point 4). The provider
 * call is scripted; the clock is the test's.
 */
class LostAnswerRefreshTest {

    private static final String PROVIDER = "quickbooks";
    private static final String LOST = "answer_lost_after_rotation";
    /** The provider's timeout-quiet-period: longer than the first delayed retry's 30 s. */
    private static final Duration QUIET = Duration.ofSeconds(90);

    private final SettableClock clock = new SettableClock(Instant.parse("2026-12-01T10:00:00Z"));
    private final GuardedProviderCall providerCall = mock(GuardedProviderCall.class);
    private final RefreshOutcomes outcomes = mock(RefreshOutcomes.class);
    private final DeadLetterPublisher deadLetters = mock(DeadLetterPublisher.class);
    /** The outbox as it behaves: the change runs, a publish goes to the publisher. */
    private final PendingDeadLetters pending = mock(PendingDeadLetters.class);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final RefreshOutbox outbox = new RefreshOutbox();
    private final ProviderRefresh refresh;

    LostAnswerRefreshTest() {
        ProviderRegistry providers = new ProviderRegistry(new ProvidersProperties(Map.of(PROVIDER,
                new ProviderProperties(null, URI.create("http://127.0.0.1:9/token"), "id", "secret", null, null, null,
                        Duration.ofSeconds(2), null, null, null, null, QUIET))));
        WorkerProperties properties = new WorkerProperties("test-worker", null, null, null, null, null, null, 3,
                Duration.ofMillis(10), Duration.ofMillis(50), null, null, null, null, null, null, null, null, null);
        when(outcomes.markReauthRequired(any(), anyString(), any(), any())).thenReturn(true);
        when(outcomes.rescheduleAfterFailure(any(), anyString(), any(), any(), any(), any())).thenReturn(OptionalLong
                .of(8));
        when(pending.keepWith(any(), any())).thenAnswer(call -> call.getArgument(1, BooleanSupplier.class)
                .getAsBoolean());
        doAnswer(call -> {
            call.getArgument(0, DeadLetterPublisher.class).publish(call.getArgument(1));
            return null;
        }).when(pending).publish(any(), any());
        InfrastructureRetry retry = new InfrastructureRetry(properties);
        RefreshMetrics metrics = new RefreshMetrics(meters, providers);
        refresh = new ProviderRefresh(providers, providerCall, mock(ConnectionStore.class), mock(
                ConnectionClaims.class), outcomes, mock(GroupedConnectionWrites.class), mock(LateTokenRevocation.class),
                new FailureLetters(deadLetters, pending, new RefreshMessageCodec(new ObjectMapper()), retry, metrics,
                        properties),
                retry, mock(IssuedTokensRecorder.class), metrics, properties, clock);
    }

    @Nested
    class InvalidGrantAfterALostAnswer {

        @Test
        void inTheSameCallsFastRetryEndsTheChainAsAnswerLostAfterRotation() {
            Claim claim = claim(null);
            script(ProviderCall.failingFirst(lost("connection_lost")), invalidGrant());

            refresh.refresh(claim, message(0), outbox);

            verify(outcomes).markAnswerLost(claim, clock.instant());
            assertEndedAs(claim, LOST);
        }

        @Test
        void inALaterAttemptEndsTheChainAsAnswerLostAfterRotation() {
            Instant lostAt = clock.instant();
            clock.advance(Duration.ofMinutes(30));
            Claim claim = claim(lostAt);
            script(ProviderCall.answering(), invalidGrant());

            refresh.refresh(claim, message(1), outbox);

            assertEndedAs(claim, LOST);
        }

        @Test
        void ofEveryKindThatMayHaveRotatedEndsTheChainAsAnswerLostAfterRotation() {
            for (String code : new String[]{"connection_lost", "http_500", "malformed_response", "timeout"}) {
                Claim claim = claim(null);
                script(ProviderCall.failingFirst(lost(code)), invalidGrant());

                refresh.refresh(claim, message(0), outbox);

                assertThat(deadLetter().reason()).as(code).isEqualTo(LOST);
            }
        }
    }

    @Nested
    class InvalidGrantWithoutALostAnswer {

        @Test
        void aloneEndsTheChainAsInvalidGrant() {
            Claim claim = claim(null);
            script(ProviderCall.answering(), invalidGrant());

            refresh.refresh(claim, message(0), outbox);

            assertEndedAs(claim, "invalid_grant");
            verify(outcomes, never()).markAnswerLost(any(), any());
        }

        @Test
        void afterFailuresThatCannotHaveRotatedEndsTheChainAsInvalidGrant() {
            Claim claim = claim(null);
            script(ProviderCall.failingFirst(notLost("connection_error", null), notLost("http_429", 429)),
                    invalidGrant());

            refresh.refresh(claim, message(0), outbox);

            assertEndedAs(claim, "invalid_grant");
            verify(outcomes, never()).markAnswerLost(any(), any());
        }
    }

    /** Issue 22: past Intuit's 5-year cap no refresh can help, and none is tried. */
    @Test
    void aRefreshTokenPastItsHardCapEndsTheChainAsHardExpiredWithoutCallingTheProvider() {
        Claim claim = new Claim(UUID.randomUUID(), "tenant", PROVIDER, 7, "test-worker", clock.instant().plusSeconds(
                60), Duration.ofSeconds(60), "sbx_rt_token", new byte[]{1, 2, 3}, clock.instant().plusSeconds(600),
                clock.instant().plus(Duration.ofDays(80)), 0, null, null, clock.instant().minusSeconds(1));

        refresh.refresh(claim, message(0), outbox);

        verifyNoInteractions(providerCall);
        ArgumentCaptor<AttemptRecord> attempt = ArgumentCaptor.forClass(AttemptRecord.class);
        verify(outcomes).markReauthRequired(eq(claim), eq(ChainEnds.HARD_EXPIRED), eq(clock.instant()), attempt
                .capture());
        assertThat(attempt.getValue().errorCode()).isEqualTo(ChainEnds.HARD_EXPIRED);
        assertThat(deadLetter().reason()).isEqualTo(ChainEnds.HARD_EXPIRED);
        assertThat(outbox.events()).extracting(ConnectionEvent::type).contains(ConnectionEvent.REAUTH_REQUIRED);
    }

    @Test
    void aRefreshTokenWhoseHardCapIsStillAheadIsRefreshed() {
        Claim claim = new Claim(UUID.randomUUID(), "tenant", PROVIDER, 7, "test-worker", clock.instant().plusSeconds(
                60), Duration.ofSeconds(60), "sbx_rt_token", new byte[]{1, 2, 3}, clock.instant().plusSeconds(600),
                null, 0, null, null, clock.instant().plusSeconds(1));
        script(ProviderCall.answering(), invalidGrant());

        refresh.refresh(claim, message(0), outbox);

        assertEndedAs(claim, "invalid_grant");
    }

    @Test
    void lostAnswerIsATransientFailureThatMarksTheConnectionForTheNextAttempt() {
        Claim claim = claim(null);
        script(ProviderCall.answering(), lost("timeout"));

        refresh.refresh(claim, message(0), outbox);

        verify(outcomes).markAnswerLost(claim, clock.instant());
        verify(outcomes).rescheduleAfterFailure(eq(claim), anyString(), any(), any(), eq(clock.instant()), any());
        verify(outcomes, never()).markReauthRequired(any(), anyString(), any(), any());
        verify(deadLetters, never()).publish(any());
        assertThat(counter("refresher.refreshes", "outcome", "transient_failure")).isEqualTo(1);
    }

    /**
     * Issue 19, point 2: a call the provider may still be serving (it timed out) goes to the ladder, never back to the
     * provider before the provider's quiet period has passed; the row keeps every other actor out until then.
     */
    @Nested
    class RetryAfterATimeout {

        @Test
        void comesNoSoonerThanTheProvidersQuietPeriodAndIsCountedAsAfterTimeout() {
            Claim claim = failOnce("timeout", 0);

            // the ladder's first delay is 30 s; the quiet period, and the ladder's rounding of a second, are longer
            Instant retryAt = clock.instant().plus(QUIET).plusSeconds(1);
            assertRetryScheduled(claim, retryAt, QUIET);
            assertThat(outbox.next().message()).isEqualTo(new RefreshMessage(claim.connectionId(), 8, retryAt, 1));
            assertThat(counter("refresher.retries", "reason", "after_timeout")).isEqualTo(1);
            assertThat(counter("refresher.retries", "reason", "transient")).isZero();
        }

        @Test
        void aLaterAttemptsLongerBackOffStands() {
            Claim claim = failOnce("timeout", 4);

            assertRetryScheduled(claim, clock.instant().plus(Duration.ofMinutes(8)), QUIET);
        }

        @Test
        void anyOtherTransientFailureKeepsTheLaddersDelayWithoutAQuietPeriod() {
            Claim claim = failOnce("http_500", 0);

            assertRetryScheduled(claim, clock.instant().plus(WorkerProperties.DEFAULT_RETRY_INITIAL_DELAY),
                    Duration.ZERO);
            assertThat(counter("refresher.retries", "reason", "transient")).isEqualTo(1);
            assertThat(counter("refresher.retries", "reason", "after_timeout")).isZero();
        }

        @Test
        void asTheLastAttemptParksTheConnectionWithTheQuietPeriodSoThatAReplayWaitsForIt() {
            Claim claim = failOnce("timeout", WorkerProperties.DEFAULT_MAX_ATTEMPTS - 1);

            verify(outcomes).park(eq(claim), anyString(), eq(QUIET), eq(clock.instant()), any());
            verify(outcomes, never()).rescheduleAfterFailure(any(), anyString(), any(), any(), any(), any());
        }

        /** A refresh of a new claim whose only call fails with {@code code}, in delivery {@code attempt}. */
        private Claim failOnce(String code, int attempt) {
            Claim claim = claim(null);
            script(ProviderCall.answering(), lost(code));
            refresh.refresh(claim, message(attempt), outbox);
            return claim;
        }

        private void assertRetryScheduled(Claim claim, Instant retryAt, Duration quietPeriod) {
            verify(outcomes).rescheduleAfterFailure(eq(claim), anyString(), eq(retryAt), eq(quietPeriod), eq(clock
                    .instant()), any());
        }
    }

    /** Issue 20, point 4: the cap on delayed attempts counts the row's failures, not the message's. */
    @Nested
    class AttemptsCountedInTheRow {

        @Test
        void aMessageTheSweepReEnqueuedAfterElevenFailuresIsTheTwelfthAttemptAndParks() {
            Instant firstFailure = clock.instant().minus(Duration.ofHours(5));
            Claim claim = claimAfterFailures(WorkerProperties.DEFAULT_MAX_ATTEMPTS - 1, firstFailure);
            script(ProviderCall.answering(), notLost("http_429", 429));
            when(outcomes.park(any(), anyString(), any(), any(), any())).thenReturn(true);

            refresh.refresh(claim, message(0), outbox);

            verify(outcomes).park(eq(claim), anyString(), eq(Duration.ZERO), eq(clock.instant()), any());
            verify(outcomes, never()).rescheduleAfterFailure(any(), anyString(), any(), any(), any(), any());
            DeadLetter letter = deadLetter();
            assertThat(letter.reason()).isEqualTo("retries_exhausted");
            assertThat(letter.attempts()).isEqualTo(WorkerProperties.DEFAULT_MAX_ATTEMPTS);
            assertThat(letter.firstFailureAt()).as("when the run began, from the row").isEqualTo(firstFailure);
        }

        @Test
        void aReplayedMessageAfterTwoFailuresIsTheThirdAttemptAndWaitsTheThirdBackOff() {
            Claim claim = claimAfterFailures(2, clock.instant().minus(Duration.ofMinutes(3)));
            script(ProviderCall.answering(), notLost("http_503", 503));

            refresh.refresh(claim, message(0), outbox);

            ArgumentCaptor<Instant> retryAt = ArgumentCaptor.forClass(Instant.class);
            verify(outcomes).rescheduleAfterFailure(eq(claim), anyString(), retryAt.capture(), eq(Duration.ZERO), eq(
                    clock.instant()), any());
            Duration delay = Duration.between(clock.instant(), retryAt.getValue());
            assertThat(delay).isEqualTo(RefreshTiming.retryDelay(3, WorkerProperties.DEFAULT_RETRY_INITIAL_DELAY,
                    WorkerProperties.DEFAULT_RETRY_MAX_DELAY, null));
            assertThat(outbox.next().message().attempt()).isEqualTo(3);
        }

        private Claim claimAfterFailures(int failures, Instant firstFailure) {
            return new Claim(UUID.randomUUID(), "tenant", PROVIDER, 7, "test-worker", clock.instant().plusSeconds(60),
                    Duration.ofSeconds(60), "sbx_rt_token", new byte[]{1, 2, 3}, clock.instant().plusSeconds(600),
                    null, failures, firstFailure, null);
        }
    }

    private void assertEndedAs(Claim claim, String reason) {
        ArgumentCaptor<AttemptRecord> attempt = ArgumentCaptor.forClass(AttemptRecord.class);
        verify(outcomes).markReauthRequired(eq(claim), eq(reason), eq(clock.instant()), attempt.capture());
        assertThat(attempt.getValue().errorCode()).isEqualTo(reason);
        DeadLetter letter = deadLetter();
        assertThat(letter.reason()).isEqualTo(reason);
        assertThat(letter.errorCode()).isEqualTo("invalid_grant");
        assertThat(outbox.events()).extracting(ConnectionEvent::type, ConnectionEvent::reason).containsExactly(
                org.assertj.core.groups.Tuple.tuple(ConnectionEvent.DEAD_LETTERED, reason),
                org.assertj.core.groups.Tuple.tuple(ConnectionEvent.REAUTH_REQUIRED, reason));
        assertThat(counter("refresher.dead_letters", "reason", reason)).isEqualTo(1);
        assertThat(counter("refresher.refreshes", "outcome", LOST.equals(reason) ? LOST : "reauth_required"))
                .isEqualTo(1);
        assertThat(counter("refresher.refreshes", "outcome", LOST.equals(reason) ? "reauth_required" : LOST))
                .isZero();
    }

    private DeadLetter deadLetter() {
        ArgumentCaptor<DeadLetter> letter = ArgumentCaptor.forClass(DeadLetter.class);
        verify(deadLetters, org.mockito.Mockito.atLeastOnce()).publish(letter.capture());
        return letter.getValue();
    }

    private double counter(String name, String tag, String value) {
        return meters.get(name).tags("provider", PROVIDER, tag, value).counter().count();
    }

    /** The provider call: the given failures retried at once (told to the callback), then the final answer. */
    private record ProviderCall(RefreshResult.Failed... retried) {
        static ProviderCall answering() {
            return new ProviderCall();
        }

        static ProviderCall failingFirst(RefreshResult.Failed... retried) {
            return new ProviderCall(retried);
        }
    }

    @SuppressWarnings("unchecked")
    private void script(ProviderCall call, RefreshResult.Failed finalAnswer) {
        when(providerCall.call(any(ProviderSettings.class), anyString(), any())).thenAnswer(invocation -> {
            Consumer<RefreshResult.Failed> retried = invocation.getArgument(2, Consumer.class);
            for (RefreshResult.Failed failure : call.retried()) {
                retried.accept(failure);
            }
            return new GuardedProviderCall.Outcome.Answered(finalAnswer);
        });
    }

    private static RefreshResult.Failed invalidGrant() {
        return new RefreshResult.Failed(ErrorClass.REAUTH_REQUIRED, "invalid_grant", "the refresh token was refused",
                400, null, Duration.ofMillis(20), false);
    }

    /** A failure that may have rotated; a timeout's request may also still be running at the provider. */
    private static RefreshResult.Failed lost(String code) {
        return new RefreshResult.Failed(ErrorClass.TRANSIENT, code, "lost", code.equals("http_500") ? 500 : null,
                null, Duration.ofMillis(20), true, code.equals("timeout"));
    }

    private static RefreshResult.Failed notLost(String code, Integer status) {
        return new RefreshResult.Failed(ErrorClass.TRANSIENT, code, "not sent or turned away", status, null, Duration
                .ofMillis(20), false);
    }

    private Claim claim(Instant answerLostAt) {
        return new Claim(UUID.randomUUID(), "tenant", PROVIDER, 7, "test-worker", clock.instant().plusSeconds(60),
                Duration.ofSeconds(60), "sbx_rt_token", new byte[]{1, 2, 3}, clock.instant().plusSeconds(600), null, 0,
                null, answerLostAt);
    }

    private RefreshMessage message(int attempt) {
        return new RefreshMessage(UUID.randomUUID(), 7, clock.instant(), attempt);
    }
}
