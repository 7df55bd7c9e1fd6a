package dev.tokenrefresher.common.connection;

import static dev.tokenrefresher.common.test.NewConnectionBuilder.aConnection;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenrefresher.common.test.LeaseTime;
import dev.tokenrefresher.common.test.ServicesTestBase;
import dev.tokenrefresher.common.test.Tampering;
import dev.tokenrefresher.common.test.TestServices;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The single-flight lease on the real PostgreSQL. Leases live by the database's clock (DESIGN decision 11), so these
 * tests let a lease's time pass by moving it in the row ({@link LeaseTime}); the app's time that some statements still
 * take (due times) is set far off on purpose where a lease is compared, to show that it has no say.
 */
@SpringBootTest(classes = ConnectionStoreTest.StoreOnly.class)
class ConnectionClaimsTest extends ServicesTestBase {

    private static final Duration LEASE = Duration.ofSeconds(30);
    /** A provider's quiet period after a timed-out call. */
    private static final Duration QUIET = Duration.ofSeconds(20);
    /** An app clock this far off the database's must not make a live lease look ended. */
    private static final Duration SKEW = Duration.ofMinutes(10);

    @Autowired
    ConnectionStore store;
    @Autowired
    ConnectionClaims claims;
    @Autowired
    OverdueConnections overdue;
    @Autowired
    RefreshOutcomes outcomes;
    @Autowired
    JdbcClient jdbc;

    private final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    /**
     * Lets every ended lease be taken over, as if a hand-off drain had just found nothing waiting; the test of the
     * hand-off's gate sets the watermark itself.
     */
    @BeforeEach
    void noHandoffWaiting() {
        LeaseTime.handoffsDrainedAt(jdbc, TestServices.get().messagingPrefix(), "infinity");
    }

    @Test
    void anAbandonedLeaseIsTakenOverOnlyOnceADrainFoundNoHandedOffTokensAfterItEnded() {
        Registered registered = store.register(aConnection().build(), now);
        claims.claim(registered.id(), registered.fence(), "w1", LEASE);
        LeaseTime.pass(jdbc, registered.id(), LEASE.plusSeconds(5));
        Instant leaseEnded = jdbc.sql("SELECT lease_until FROM connection WHERE id = :id").param("id", registered.id())
                .query(java.sql.Timestamp.class).single().toInstant();

        // w1 may have handed off the tokens its call got: no drain has looked since its lease ended
        LeaseTime.handoffsDrainedAt(jdbc, TestServices.get().messagingPrefix(), leaseEnded.minusMillis(1).toString());
        assertThat(claims.claim(registered.id(), registered.fence(), "w2", LEASE))
                .isInstanceOfSatisfying(ClaimResult.Leased.class, leased -> assertThat(leased.owner()).isEqualTo("w1"));
        assertThat(claims.claimAll(List.of(new ClaimRequest(registered.id(), registered.fence(), "w2", LEASE),
                new ClaimRequest(UUID.randomUUID(), 1, "w2", LEASE))).getFirst())
                .isInstanceOf(ClaimResult.Leased.class);

        LeaseTime.handoffsDrainedAt(jdbc, TestServices.get().messagingPrefix(), leaseEnded.plusMillis(1).toString());
        assertThat(claims.claim(registered.id(), registered.fence(), "w2", LEASE))
                .isInstanceOf(ClaimResult.Claimed.class);
    }

    @Test
    void aClaimGivenBackAfterATimeoutIsTakenByNobodyUntilTheQuietPeriodHasPassedByTheDatabasesClock() {
        Registered registered = store.register(aConnection().build(), now);
        Claim timedOut = ((ClaimResult.Claimed) claims.claim(registered.id(), registered.fence(), "api", LEASE))
                .claim();

        claims.releaseLease(timedOut, QUIET);

        assertThat(claims.claim(registered.id(), registered.fence(), "api", LEASE)).isInstanceOfSatisfying(
                ClaimResult.Quiet.class, quiet -> assertThat(quiet.remaining()).isBetween(QUIET.minusSeconds(1),
                        QUIET));
        assertThat(claims.claimAll(List.of(new ClaimRequest(registered.id(), registered.fence(), "w1", LEASE),
                new ClaimRequest(UUID.randomUUID(), 1, "w1", LEASE))).getFirst()).isInstanceOf(ClaimResult.Quiet.class);
        LeaseTime.passQuiet(jdbc, registered.id(), QUIET);
        assertThat(claims.claim(registered.id(), registered.fence(), "w1", LEASE))
                .isInstanceOf(ClaimResult.Claimed.class);
    }

    @Test
    void aRetryScheduledAfterATimeoutWaitsOutTheQuietPeriodWhichAReconnectEnds() {
        String tenant = "tenant-" + UUID.randomUUID();
        Registered registered = store.register(aConnection().tenant(tenant).build(), now);
        Claim timedOut = ((ClaimResult.Claimed) claims.claim(registered.id(), registered.fence(), "w1", LEASE))
                .claim();

        long retryFence = outcomes.rescheduleAfterFailure(timedOut, "timeout: no complete answer", now.plus(QUIET),
                QUIET, now, new AttemptRecord(now, AttemptOutcome.TRANSIENT_FAILURE, null, "timeout", Duration
                        .ofSeconds(10), "w1"))
                .orElseThrow();

        assertThat(claims.claim(registered.id(), retryFence, "w2", LEASE)).isInstanceOf(ClaimResult.Quiet.class);
        // a new consent's tokens owe nothing to the call that timed out
        Registered reconnected = store.register(aConnection().tenant(tenant).build(), now);
        assertThat(claims.claim(registered.id(), reconnected.fence(), "w2", LEASE))
                .isInstanceOf(ClaimResult.Claimed.class);
    }

    @Test
    void claimWithTheCurrentFenceTakesTheLeaseFromTheDatabasesClockAndReadsTheRefreshToken() {
        Registered registered = store.register(aConnection().tokens("at", "rt-claim").build(), now);

        Instant before = databaseNow();
        ClaimResult result = claims.claim(registered.id(), registered.fence(), "w1", LEASE);
        Instant after = databaseNow();

        assertThat(result).isInstanceOfSatisfying(ClaimResult.Claimed.class, claimed -> {
            assertThat(claimed.claim().refreshToken()).isEqualTo("rt-claim");
            assertThat(claimed.claim().lease()).isEqualTo(LEASE);
            assertThat(claimed.claim().leaseUntil()).isBetween(before.plus(LEASE), after.plus(LEASE));
        });
    }

    @Test
    void expiredAccessTokenIsStillClaimedWhileTheRefreshTokenIsValid() {
        Registered registered = store.register(aConnection().at(now.minus(Duration.ofHours(2))).build(), now);

        assertThat(claims.claim(registered.id(), registered.fence(), "w1", LEASE))
                .isInstanceOf(ClaimResult.Claimed.class);
    }

    @Test
    void secondClaimIsRefusedWhileTheLeaseLivesAndAllowedAfterIt() {
        Registered registered = store.register(aConnection().build(), now);
        claims.claim(registered.id(), registered.fence(), "w1", LEASE);
        LeaseTime.pass(jdbc, registered.id(), Duration.ofSeconds(1));

        assertThat(claims.claim(registered.id(), registered.fence(), "w2", LEASE))
                .isInstanceOfSatisfying(ClaimResult.Leased.class, leased -> {
                    assertThat(leased.owner()).isEqualTo("w1");
                    // what is left of it, by the database's clock: what a re-delayed message waits
                    assertThat(leased.remaining()).isBetween(LEASE.minusSeconds(2), LEASE.minusSeconds(1));
                });
        LeaseTime.pass(jdbc, registered.id(), LEASE.minusSeconds(1));
        assertThat(claims.claim(registered.id(), registered.fence(), "w2", LEASE))
                .isInstanceOf(ClaimResult.Claimed.class);
    }

    @Test
    void aClaimsLeaseLastsAtMostHalfTheAccessTokensLifetimeAndNeverLessThanItsFloor() {
        Registered shortLived = store.register(aConnection().accessTokenLifetime(Duration.ofSeconds(60)).build(), now);
        Registered hourly = store.register(aConnection().build(), now);
        Registered tiny = store.register(aConnection().accessTokenLifetime(Duration.ofSeconds(10)).build(), now);
        Duration lease = Duration.ofSeconds(60);
        Duration floor = Duration.ofSeconds(12);

        var single = claims.claim(new ClaimRequest(shortLived.id(), shortLived.fence(), "w1", lease, floor));
        var batch = claims.claimAll(List.of(new ClaimRequest(hourly.id(), hourly.fence(), "w1", lease, floor),
                new ClaimRequest(tiny.id(), tiny.fence(), "w1", lease, floor)));

        // a worker dying with the 60-s token's claim leaves it waiting 30 s, not past its expiry
        assertThat(((ClaimResult.Claimed) single).claim().lease()).isEqualTo(Duration.ofSeconds(30));
        assertThat(((ClaimResult.Claimed) batch.get(0)).claim().lease()).isEqualTo(lease);
        // half of 10 s is shorter than a call may take: the floor wins, no second call overlaps the first
        assertThat(((ClaimResult.Claimed) batch.get(1)).claim().lease()).isEqualTo(floor);
        assertThat(LeaseTime.remaining(jdbc, shortLived.id())).isBetween(Duration.ofSeconds(29), Duration.ofSeconds(
                30));
    }

    @Test
    void staleFenceAndUnknownIdAreNotClaimed() {
        Registered registered = store.register(aConnection().build(), now);

        assertThat(claims.claim(registered.id(), registered.fence() - 1, "w1", LEASE))
                .isEqualTo(new ClaimResult.StaleFence(registered.fence()));
        assertThat(claims.claim(UUID.randomUUID(), 1, "w1", LEASE)).isInstanceOf(ClaimResult.NotFound.class);
    }

    @Test
    void batchOfClaimsAnswersEachRequestInOrderAsIfTheyRanOneAfterTheOther() {
        Registered free = store.register(aConnection().tokens("at", "rt-free").build(), now);
        Registered other = store.register(aConnection().tokens("at", "rt-other").build(), now);
        Registered ended = store.register(aConnection().build(), now);
        jdbc.sql("UPDATE connection SET status = 'REAUTH_REQUIRED' WHERE id = :id").param("id", ended.id()).update();

        var results = claims.claimAll(List.of(
                new ClaimRequest(free.id(), free.fence(), "w1", LEASE),
                new ClaimRequest(free.id(), free.fence() - 1, "w1", LEASE),
                new ClaimRequest(UUID.randomUUID(), 1, "w1", LEASE),
                new ClaimRequest(free.id(), free.fence(), "w1", LEASE),
                new ClaimRequest(ended.id(), ended.fence(), "w1", LEASE),
                new ClaimRequest(other.id(), other.fence(), "w2", LEASE)));

        assertThat(results).hasSize(6);
        assertThat(results.get(0)).isInstanceOfSatisfying(ClaimResult.Claimed.class, claimed -> assertThat(claimed
                .claim().refreshToken()).isEqualTo("rt-free"));
        assertThat(results.get(1)).isEqualTo(new ClaimResult.StaleFence(free.fence()));
        assertThat(results.get(2)).isInstanceOf(ClaimResult.NotFound.class);
        assertThat(results.get(3)).isInstanceOfSatisfying(ClaimResult.Leased.class, leased -> {
            assertThat(leased.owner()).isEqualTo("w1");
            assertThat(leased.leaseUntil()).isEqualTo(((ClaimResult.Claimed) results.get(0)).claim().leaseUntil());
        });
        assertThat(results.get(4)).isEqualTo(new ClaimResult.NotActive(ConnectionStatus.REAUTH_REQUIRED));
        assertThat(results.get(5)).isInstanceOfSatisfying(ClaimResult.Claimed.class, claimed -> {
            assertThat(claimed.claim().refreshToken()).isEqualTo("rt-other");
            assertThat(claimed.claim().worker()).isEqualTo("w2");
        });
    }

    @Test
    void anUndecryptableRefreshTokenMakesOnlyItsOwnClaimUndecryptableAndTheOthersOfTheStatementAreClaimed() {
        Registered before = store.register(aConnection().tokens("at", "rt-before").build(), now);
        Registered tampered = store.register(aConnection().build(), now);
        Registered after = store.register(aConnection().tokens("at", "rt-after").build(), now);
        // one flipped bit of the ciphertext, as a changed value or a removed key would leave it unreadable
        Tampering.flipLastBit(jdbc, tampered.id(), "refresh_token_enc");

        var results = claims.claimAll(List.of(
                new ClaimRequest(before.id(), before.fence(), "w1", LEASE),
                new ClaimRequest(tampered.id(), tampered.fence(), "w1", LEASE),
                new ClaimRequest(after.id(), after.fence(), "w1", LEASE)));

        assertThat(results.get(0)).isInstanceOfSatisfying(ClaimResult.Claimed.class, claimed -> assertThat(claimed
                .claim().refreshToken()).isEqualTo("rt-before"));
        assertThat(results.get(1)).isInstanceOfSatisfying(ClaimResult.Undecryptable.class, undecryptable -> {
            assertThat(undecryptable.claim().refreshToken()).isNull();
            assertThat(undecryptable.claim().worker()).isEqualTo("w1");
            assertThat(undecryptable.detail()).contains("connection/" + tampered.id() + "/refresh_token",
                    "authentication failed");
        });
        assertThat(results.get(2)).isInstanceOfSatisfying(ClaimResult.Claimed.class, claimed -> assertThat(claimed
                .claim().refreshToken()).isEqualTo("rt-after"));
        assertThat(jdbc.sql("SELECT lease_owner FROM connection WHERE id = :id").param("id", tampered.id()).query(
                String.class).single()).as("the undecryptable one is leased, for its holder to park").isEqualTo("w1");
    }

    /** Issue 20, point 4: the message's attempt count starts again after a sweep or a replay; the row's does not. */
    @Test
    void aRunOfFailuresIsKeptInTheRowAcrossASweepAndAReplayAndMakesTheNextStoredRefreshARecovery() {
        Registered registered = store.register(aConnection().build(), now);
        Instant firstFailure = now.plusSeconds(1);
        Claim first = claimed(registered.id(), registered.fence());
        long fence = outcomes.rescheduleAfterFailure(first, "http_503: unavailable", now.minusSeconds(600),
                Duration.ZERO, firstFailure, new AttemptRecord(firstFailure, AttemptOutcome.TRANSIENT_FAILURE, 503,
                        "http_503", Duration.ofMillis(5), "w1"))
                .orElseThrow();

        // the retry's message was lost: the sweep re-enqueues the chain with a new fence
        var swept = overdue.rescheduleOverdue("quickbooks", now.minus(Duration.ofMinutes(2)), now, 10_000).rescheduled()
                .stream()
                .filter(rescheduled -> rescheduled.connectionId().equals(registered.id())).findFirst().orElseThrow();
        assertThat(swept.fence()).isGreaterThan(fence);
        Claim afterSweep = claimed(registered.id(), swept.fence());
        assertThat(afterSweep.consecutiveFailures()).isEqualTo(1);
        assertThat(afterSweep.firstFailureAt()).isEqualTo(firstFailure);
        assertThat(outcomes.park(afterSweep, "http_503: unavailable", Duration.ZERO, now.plusSeconds(60),
                new AttemptRecord(now.plusSeconds(60), AttemptOutcome.TRANSIENT_FAILURE, 503, "http_503", Duration
                        .ofMillis(5), "w1")))
                .isTrue();

        // an operator replays its dead letter
        Rescheduled replayed = store.rearm(registered.id(), now.plusSeconds(120)).orElseThrow();
        Claim afterReplay = claimed(registered.id(), replayed.fence());
        assertThat(afterReplay.consecutiveFailures()).isEqualTo(2);
        assertThat(afterReplay.firstFailureAt()).as("when the run began, not when it was parked").isEqualTo(
                firstFailure);
        assertThat(dev.tokenrefresher.common.messaging.ConnectionEventPublisher.refreshedEvents(afterReplay, now
                .plusSeconds(3600), now.plusSeconds(121), false))
                .extracting(dev.tokenrefresher.common.messaging.ConnectionEvent::type)
                .as("its next stored refresh ends the run").contains(
                        dev.tokenrefresher.common.messaging.ConnectionEvent.RECOVERED);
    }

    private Claim claimed(UUID id, long fence) {
        return ((ClaimResult.Claimed) claims.claim(id, fence, "w1", LEASE)).claim();
    }

    @Test
    void aReleasedLeaseCanBeClaimedAtOnce() {
        Registered registered = store.register(aConnection().build(), now);
        Claim claim = ((ClaimResult.Claimed) claims.claim(registered.id(), registered.fence(), "w1", LEASE)).claim();

        assertThat(claims.releaseLease(claim)).isTrue();

        assertThat(claims.claim(registered.id(), registered.fence(), "w2", LEASE))
                .isInstanceOf(ClaimResult.Claimed.class);
    }

    @Test
    void aPausedClaimIsFreeAtOnceAndTheRowIsDueWhenItsReDelayedMessageComesBack() {
        Instant past = now.minus(Duration.ofHours(3));
        Registered registered = store.register(aConnection().at(past).build(), past);
        Claim claim = ((ClaimResult.Claimed) claims.claim(registered.id(), registered.fence(), "w1", LEASE)).claim();
        Instant dueAgain = now.plus(Duration.ofSeconds(5));

        assertThat(claims.pause(claim, dueAgain)).isTrue();

        assertThat(store.find(registered.id())).get().satisfies(view -> {
            assertThat(view.nextRefreshAt()).isEqualTo(dueAgain);
            assertThat(view.refreshFence()).as("the same message goes on").isEqualTo(registered.fence());
        });
        // the sweep takes it for lost only once its re-delayed message is overdue
        assertThat(overdue.rescheduleOverdue("quickbooks", now.minus(Duration.ofMinutes(2)), now, 10_000)
                .rescheduled()).extracting(Rescheduled::connectionId).doesNotContain(registered.id());
        assertThat(claims.claim(registered.id(), registered.fence(), "w2", LEASE)).isInstanceOf(
                ClaimResult.Claimed.class);
    }

    @Test
    void sweepLeavesAConnectionAloneWhileItsLeaseLivesByTheDatabasesClockWhateverTheSchedulersClockSays() {
        Instant past = now.minus(Duration.ofHours(3));
        Registered leased = store.register(aConnection().at(past).build(), past);
        claims.claim(leased.id(), leased.fence(), "w1", LEASE);

        // a scheduler whose clock runs ten minutes fast
        var whileLeased = overdue.rescheduleOverdue("quickbooks", now.plus(SKEW).minus(Duration.ofMinutes(2)),
                now.plus(SKEW), 10_000);
        LeaseTime.pass(jdbc, leased.id(), LEASE);
        // and one whose clock runs ten minutes slow: the lease has ended all the same
        var afterTheLease = overdue.rescheduleOverdue("quickbooks", now.minus(SKEW).minus(Duration.ofMinutes(2)),
                now.minus(SKEW), 10_000);

        assertThat(whileLeased.rescheduled()).extracting(Rescheduled::connectionId).doesNotContain(leased.id());
        assertThat(afterTheLease.rescheduled()).extracting(Rescheduled::connectionId).contains(leased.id());
    }

    @Test
    void anOperatorsRefreshNowAndReplayLeaveALeasedConnectionAloneUntilTheLeaseEndsByTheDatabasesClock() {
        Registered registered = store.register(aConnection().build(), now);
        claims.claim(registered.id(), registered.fence(), "w1", LEASE);

        assertThat(store.scheduleNow(registered.id(), now.plus(SKEW))).isEmpty();
        assertThat(store.rearm(registered.id(), now.plus(SKEW))).isEmpty();
        LeaseTime.pass(jdbc, registered.id(), LEASE);
        assertThat(store.scheduleNow(registered.id(), now.minus(SKEW))).isPresent();
    }

    private Instant databaseNow() {
        return jdbc.sql("SELECT statement_timestamp()").query(OffsetDateTime.class).single().toInstant();
    }
}
