package dev.tokenrefresher.common.handoff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenrefresher.common.connection.AttemptOutcome;
import dev.tokenrefresher.common.connection.AttemptRecord;
import dev.tokenrefresher.common.connection.Claim;
import dev.tokenrefresher.common.connection.RefreshToStore;
import dev.tokenrefresher.common.connection.RefreshedTokens;
import dev.tokenrefresher.common.connection.Stored;
import dev.tokenrefresher.common.handoff.IssuedTokensRecorder.Recorded;
import dev.tokenrefresher.common.test.SettableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DataIntegrityViolationException;

@ExtendWith(OutputCaptureExtension.class)
class IssuedTokensRecorderTest {

    private static final Duration STORE_FOR = Duration.ofSeconds(10);

    private final SettableClock clock = new SettableClock(Instant.parse("2026-12-07T00:00:00Z"));
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final List<RefreshToStore> handedOff = new ArrayList<>();
    private final List<String> log = new ArrayList<>();
    private boolean brokerDown;
    private IssuedTokensRecorder recorder = new IssuedTokensRecorder(this::handOff, meters, clock, duration -> {
        log.add("pause " + duration.toMillis());
        clock.advance(duration);
    });
    private final RefreshToStore refresh = refresh();

    private void handOff(RefreshToStore refresh) {
        log.add("hand off");
        if (brokerDown) {
            throw new HandoffFailedException(refresh.claim().connectionId(), "broker unreachable");
        }
        handedOff.add(refresh);
    }

    @Test
    void tokensStoredAtTheFirstTryAreNeitherHandedOffNorHeld() {
        Recorded recorded = recorder.record(refresh, stored(new Stored(8, false)), STORE_FOR, System.nanoTime());

        assertThat(recorded).isEqualTo(new Recorded.InDatabase(Optional.of(new Stored(8, false))));
        assertThat(handedOff).isEmpty();
        assertThat(recorder.isHolding(refresh.claim().connectionId())).isFalse();
        assertThat(meters.get("refresher.refresh.unrecorded").timer().count()).isEqualTo(1);
    }

    @Test
    void aShortDatabaseOutageIsRiddenOutByRetryingTheStore() {
        Function<RefreshToStore, Optional<Stored>> store = failingTimes(3, stored(new Stored(8, false)));

        Recorded recorded = recorder.record(refresh, store, STORE_FOR, System.nanoTime());

        assertThat(recorded).isInstanceOf(Recorded.InDatabase.class);
        assertThat(log).containsExactly("store failed", "pause 250", "store failed", "pause 500", "store failed",
                "pause 1000", "stored");
        assertThat(handedOff).isEmpty();
    }

    @Test
    void tokensAreHandedOffOnceTheDatabaseStaysDownLongerThanTheStoreRetry() {
        List<Boolean> holdingWhileRetrying = new ArrayList<>();
        Function<RefreshToStore, Optional<Stored>> down = r -> {
            holdingWhileRetrying.add(recorder.isHolding(r.claim().connectionId()));
            log.add("store failed");
            throw new DataAccessResourceFailureException("connection refused");
        };

        Recorded recorded = recorder.record(refresh, down, STORE_FOR, System.nanoTime());

        assertThat(recorded).isEqualTo(new Recorded.HandedOff(false));
        assertThat(handedOff).containsExactly(refresh);
        // no hand-off before the store retry's time is up, and the connection is held from the first failure
        assertThat(log.indexOf("hand off")).isEqualTo(log.size() - 1);
        assertThat(holdingWhileRetrying.subList(1, holdingWhileRetrying.size())).containsOnly(true);
        assertThat(recorder.isHolding(refresh.claim().connectionId())).isFalse();
        assertThat(meters.get("refresher.handoff.published").counter().count()).isEqualTo(1);
        assertThat(meters.get("refresher.handoff.at_risk").counter().count()).isZero();
        assertThat(meters.get("refresher.handoff.store_refused").counter().count()).isZero();
    }

    @Test
    void withBothStoresDownTheTokensAreHeldAndCountedAtRiskUntilOneTakesThem() {
        brokerDown = true;
        int[] calls = {0};
        Function<RefreshToStore, Optional<Stored>> store = r -> {
            calls[0]++;
            if (calls[0] < 20) {
                log.add("store failed");
                throw new DataAccessResourceFailureException("connection refused");
            }
            assertThat(recorder.isHolding(r.claim().connectionId())).isTrue();
            return Optional.of(new Stored(9, false));
        };

        Recorded recorded = recorder.record(refresh, store, STORE_FOR, System.nanoTime());

        assertThat(recorded).isEqualTo(new Recorded.InDatabase(Optional.of(new Stored(9, false))));
        assertThat(log).contains("hand off");
        assertThat(meters.get("refresher.handoff.at_risk").counter().count()).isEqualTo(1);
        assertThat(recorder.isHolding(refresh.claim().connectionId())).isFalse();
    }

    @Test
    void aStoreTheDatabaseRefusesIsHandedOffAtOnceWithoutRetries(CapturedOutput output) {
        Function<RefreshToStore, Optional<Stored>> refused = r -> {
            log.add("store refused");
            throw new DataIntegrityViolationException("ERROR: refused; the statement and its values would be here",
                    new SQLException("refused", "22008"));
        };

        Recorded recorded = recorder.record(refresh, refused, STORE_FOR, System.nanoTime());

        // the provider has rotated: these tokens are the chain's future, kept on the hand-off queue, not thrown away
        assertThat(recorded).isEqualTo(new Recorded.HandedOff(true));
        assertThat(log).containsExactly("store refused", "hand off");
        assertThat(handedOff).containsExactly(refresh);
        assertThat(clock.instant()).isEqualTo(Instant.parse("2026-12-07T00:00:00Z"));
        assertThat(meters.get("refresher.handoff.store_refused").counter().count()).isEqualTo(1);
        assertThat(meters.get("refresher.handoff.published").counter().count()).isEqualTo(1);
        assertThat(recorder.isHolding(refresh.claim().connectionId())).isFalse();
        // the class and SQLState name the refusal; the exception's message, which can hold the values, stays out
        assertThat(output).contains("DataIntegrityViolationException, SQLState 22008").doesNotContain(
                "values would be here").doesNotContain("rotated");
    }

    @Test
    void stoppingWhileBothStoresAreDownCountsTheTokensLost() {
        brokerDown = true;
        recorder = new IssuedTokensRecorder(this::handOff, meters, clock, duration -> {
            clock.advance(duration);
            if (log.contains("hand off")) {
                throw new InterruptedException();
            }
        });
        Function<RefreshToStore, Optional<Stored>> down = r -> {
            throw new DataAccessResourceFailureException("connection refused");
        };

        assertThatThrownBy(() -> recorder.record(refresh, down, STORE_FOR, System.nanoTime()))
                .isInstanceOf(TokensLostException.class)
                .hasMessageContaining(refresh.claim().connectionId().toString());
        assertThat(meters.get("refresher.handoff.lost").counter().count()).isEqualTo(1);
        assertThat(Thread.interrupted()).isTrue();
    }

    private Function<RefreshToStore, Optional<Stored>> stored(Stored stored) {
        return r -> {
            log.add("stored");
            return Optional.of(stored);
        };
    }

    private Function<RefreshToStore, Optional<Stored>> failingTimes(int times,
            Function<RefreshToStore, Optional<Stored>> then) {
        int[] failures = {0};
        return r -> {
            if (failures[0]++ < times) {
                log.add("store failed");
                throw new DataAccessResourceFailureException("connection refused");
            }
            return then.apply(r);
        };
    }

    static RefreshToStore refresh() {
        UUID id = UUID.randomUUID();
        Instant now = Instant.parse("2026-12-07T00:00:00Z");
        Claim claim = new Claim(id, "tenant-1", "quickbooks", 7, "worker-1", now.plusSeconds(60), Duration.ofSeconds(
                60), "consumed", new byte[]{1, 2, 3}, now, now.plus(Duration.ofDays(100)), 0, null, null);
        return new RefreshToStore(claim, new RefreshedTokens("access", "rotated", now.plusSeconds(3600), Duration
                .ofHours(1), now.plus(Duration.ofDays(100))), now.plusSeconds(3000), now, new AttemptRecord(now,
                        AttemptOutcome.REFRESHED, 200, null, Duration.ofMillis(120), "worker-1"));
    }
}
