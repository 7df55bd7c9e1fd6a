package dev.tokenrefresher.common.connection;

import static dev.tokenrefresher.common.test.NewConnectionBuilder.aConnection;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenrefresher.common.crypto.CryptoConfiguration;
import dev.tokenrefresher.common.test.LeaseTime;
import dev.tokenrefresher.common.test.ServicesTestBase;
import dev.tokenrefresher.common.test.TestServices;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The guarded statements of the refresh path, on the real PostgreSQL; the lease's own in {@link ConnectionClaimsTest}. */
@SpringBootTest(classes = ConnectionStoreTest.StoreOnly.class)
class ConnectionStoreTest extends ServicesTestBase {

    @Autowired
    ConnectionStore store;
    @Autowired
    ConnectionClaims claims;
    @Autowired
    RefreshOutcomes outcomes;
    @Autowired
    OverdueConnections overdue;
    @Autowired
    JdbcClient jdbc;

    private final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    /**
     * Lets every expired lease be taken over, as if a hand-off drain had just found nothing waiting; the tests of the
     * hand-off's gate set the watermark themselves.
     */
    @BeforeEach
    void noHandoffWaiting() {
        LeaseTime.handoffsDrainedAt(jdbc, TestServices.get().messagingPrefix(), "infinity");
    }

    @Test
    void registeredConnectionIsActiveWithTheFirstFenceAndStoresNoPlaintext() {
        Registered registered = store.register(aConnection().tokens("plain_at_123", "plain_rt_456").build(), now);

        assertThat(registered.created()).isTrue();
        assertThat(registered.fence()).isEqualTo(1);
        assertThat(store.find(registered.id())).get().extracting(ConnectionView::status)
                .isEqualTo(ConnectionStatus.ACTIVE);
        String dump = jdbc.sql("SELECT c::text FROM connection c WHERE id = :id").param("id", registered.id())
                .query(String.class).single();
        assertThat(dump).doesNotContain("plain_at_123").doesNotContain("plain_rt_456");
        assertThat(store.tokens(registered.id())).get().extracting(StoredTokens::refreshToken)
                .isEqualTo("plain_rt_456");
    }

    @Test
    void registeringTheSameTenantAndProviderAgainIsAReconnectWithANewFence() {
        String tenant = "tenant-" + UUID.randomUUID();
        Registered first = store.register(aConnection().tenant(tenant).build(), now);

        Registered again = store.register(aConnection().tenant(tenant).tokens("at2", "rt2").build(), now);

        assertThat(again.id()).isEqualTo(first.id());
        assertThat(again.created()).isFalse();
        assertThat(again.fence()).isEqualTo(first.fence() + 1);
        assertThat(store.tokens(first.id())).get().extracting(StoredTokens::refreshToken).isEqualTo("rt2");
    }

    @Test
    void batchOfStoresKeepsEachRefreshsGuardAndRecordsOneAttemptPerStoredRefresh() {
        Registered first = store.register(aConnection().build(), now);
        Registered second = store.register(aConnection().build(), now);
        Claim firstClaim = claim(first);
        Claim superseded = claim(second);
        outcomes.storeRefreshed(claim(second),
                new RefreshedTokens("at-a", "rt-a", now.plusSeconds(60), Duration.ofSeconds(60), null),
                now.plusSeconds(30), now, attempt(AttemptOutcome.REFRESHED));

        var fences = outcomes.storeAllRefreshed(List.of(
                new RefreshToStore(superseded,
                        new RefreshedTokens("at-b", "rt-b", now.plusSeconds(60), Duration.ofSeconds(60), null),
                        now.plusSeconds(30), now, attempt(AttemptOutcome.REFRESHED)),
                new RefreshToStore(firstClaim,
                        new RefreshedTokens("at-1", "rt-1", now.plusSeconds(3600), Duration.ofSeconds(3600), now.plus(
                                Duration.ofDays(100))),
                        now.plusSeconds(3000), now, attempt(AttemptOutcome.REFRESHED))));

        assertThat(fences).containsExactly(Optional.empty(), Optional.of(new Stored(first.fence() + 1, false)));
        assertThat(store.tokens(second.id())).get().extracting(StoredTokens::refreshToken).isEqualTo("rt-a");
        assertThat(store.tokens(first.id())).get().satisfies(tokens -> {
            assertThat(tokens.accessToken()).isEqualTo("at-1");
            assertThat(tokens.refreshToken()).isEqualTo("rt-1");
        });
        assertThat(store.find(first.id())).get().satisfies(view -> {
            assertThat(view.nextRefreshAt()).isEqualTo(now.plusSeconds(3000));
            assertThat(view.refreshExpiresAt()).isEqualTo(now.plus(Duration.ofDays(100)));
        });
        assertThat(refreshedAttempts(first.id())).isEqualTo(1);
        assertThat(refreshedAttempts(second.id())).isEqualTo(1);
    }

    @Test
    void aChainIsPublishedAgainAtItsDueTimeOnlyFromTheFenceItHasAndWhileNobodyHoldsItsLease() {
        Registered registered = store.register(aConnection().build(), now);

        assertThat(store.republish(registered.id(), registered.fence() - 1, now)).as("another fence").isEmpty();
        Claim held = ((ClaimResult.Claimed) claims.claim(registered.id(), registered.fence(), "w-held", Duration
                .ofMinutes(1))).claim();
        assertThat(store.republish(registered.id(), registered.fence(), now)).as("leased").isEmpty();
        outcomes.storeRefreshed(held, new RefreshedTokens("at-1", "rt-1", now.plusSeconds(3600), Duration.ofSeconds(
                3600), null), now.plusSeconds(3000), now, attempt(AttemptOutcome.REFRESHED));
        long afterStore = registered.fence() + 1;

        Optional<Rescheduled> again = store.republish(registered.id(), afterStore, now);

        assertThat(again).hasValue(new Rescheduled(registered.id(), "quickbooks", afterStore + 1, now.plusSeconds(
                3000)));
        assertThat(store.find(registered.id()).orElseThrow().refreshFence()).isEqualTo(afterStore + 1);
    }

    /** Issue 22: the hard cap is kept through stores alone and grouped, and an answer that names none keeps it. */
    @Test
    void theHardCapARegistrationOrARefreshReportsIsStoredAndAnAnswerWithoutOneKeepsIt() {
        Instant cap = now.plus(Duration.ofDays(1825));
        Registered registered = store.register(aConnection().build(), now);
        assertThat(store.find(registered.id()).orElseThrow().refreshHardExpiresAt()).isNull();

        outcomes.storeRefreshed(claim(registered), new RefreshedTokens("at-1", "rt-1", now.plusSeconds(3600), Duration
                .ofSeconds(3600), now.plus(Duration.ofDays(100)), cap), now.plusSeconds(3000), now, attempt(
                        AttemptOutcome.REFRESHED));
        assertThat(store.find(registered.id()).orElseThrow().refreshHardExpiresAt()).isEqualTo(cap);
        Claim claimed = claim(registered);
        assertThat(claimed.refreshHardExpiresAt()).as("the claim carries it").isEqualTo(cap);

        var grouped = outcomes.storeAllRefreshed(List.of(new RefreshToStore(claimed, new RefreshedTokens("at-2",
                "rt-2", now.plusSeconds(3600), Duration.ofSeconds(3600), now.plus(Duration.ofDays(100))),
                now
                        .plusSeconds(3000),
                now, attempt(AttemptOutcome.REFRESHED)),
                new RefreshToStore(claim(store.register(aConnection().build(), now)), new RefreshedTokens("at-x",
                        "rt-x", now.plusSeconds(3600), Duration.ofSeconds(3600), null, cap.plusSeconds(1)),
                        now
                                .plusSeconds(3000),
                        now, attempt(AttemptOutcome.REFRESHED))));

        assertThat(grouped).allSatisfy(stored -> assertThat(stored).isPresent());
        assertThat(store.find(registered.id()).orElseThrow().refreshHardExpiresAt()).as("kept").isEqualTo(cap);
        NewConnection withCap = aConnection().build();
        Registered capped = store.register(new NewConnection(withCap.tenantId(), withCap.provider(), withCap.realmId(),
                withCap.accessToken(), withCap.refreshToken(), withCap.accessExpiresAt(), withCap.accessLifetime(),
                withCap.refreshExpiresAt(), withCap.nextRefreshAt(), cap), now);
        assertThat(store.find(capped.id()).orElseThrow().refreshHardExpiresAt()).isEqualTo(cap);
    }

    @Test
    void storingARefreshAdvancesTheFenceAndRecordsTheAttempt() {
        Registered registered = store.register(aConnection().build(), now);
        Claim claim = claim(registered);

        var newFence = outcomes
                .storeRefreshed(claim,
                        new RefreshedTokens("at-new", "rt-new", now.plusSeconds(3600), Duration.ofSeconds(3600),
                                now.plus(Duration.ofDays(100))),
                        now.plusSeconds(3000), now, attempt(AttemptOutcome.REFRESHED));

        assertThat(newFence).hasValue(new Stored(registered.fence() + 1, false));
        assertThat(store.tokens(registered.id())).get().satisfies(tokens -> {
            assertThat(tokens.accessToken()).isEqualTo("at-new");
            assertThat(tokens.refreshToken()).isEqualTo("rt-new");
        });
        assertThat(store.find(registered.id())).get().satisfies(view -> {
            assertThat(view.nextRefreshAt()).isEqualTo(now.plusSeconds(3000));
            assertThat(view.lastRefreshedAt()).isEqualTo(now);
        });
        assertThat(jdbc.sql("SELECT count(*) FROM refresh_attempt WHERE connection_id = :id AND outcome = 'REFRESHED'")
                .param("id", registered.id()).query(Long.class).single()).isEqualTo(1);
    }

    @Test
    void answerWithoutRefreshTokenKeepsTheStoredOne() {
        Registered registered = store.register(aConnection().tokens("at", "rt-kept").build(), now);

        outcomes.storeRefreshed(claim(registered),
                new RefreshedTokens("at-new", null, now.plusSeconds(3600), Duration.ofSeconds(3600), null),
                now.plusSeconds(3000), now, attempt(AttemptOutcome.REFRESHED));

        assertThat(store.tokens(registered.id())).get().extracting(StoredTokens::refreshToken).isEqualTo("rt-kept");
    }

    @Test
    void anAnswerWithoutAUsableAccessTokenStoresTheRotatedRefreshTokenAndKeepsTheStoredAccessToken() {
        Registered registered = store.register(aConnection().tokens("at-kept", "rt-old").build(), now);
        Instant storedExpiry = store.find(registered.id()).orElseThrow().accessExpiresAt();
        Claim claim = claim(registered);
        Claim other = claim(store.register(aConnection().tokens("at-other", "rt-other").build(), now));

        var fences = outcomes.storeAllRefreshed(List.of(
                new RefreshToStore(claim, new RefreshedTokens(null, "rt-new", null, null, null), now.plusSeconds(30),
                        now, attempt(AttemptOutcome.REFRESHED)),
                new RefreshToStore(other, new RefreshedTokens(null, "rt-other-new", null, null, null), now,
                        now, attempt(AttemptOutcome.REFRESHED))));
        var single = outcomes.storeRefreshed(claim(registered), new RefreshedTokens(null, "rt-newer", null, null,
                null), now.plusSeconds(30), now, attempt(AttemptOutcome.REFRESHED));

        assertThat(fences).allMatch(Optional::isPresent);
        assertThat(single).isPresent();
        assertThat(store.tokens(registered.id())).get().satisfies(tokens -> {
            assertThat(tokens.refreshToken()).isEqualTo("rt-newer");
            assertThat(tokens.accessToken()).isEqualTo("at-kept");
            assertThat(tokens.accessExpiresAt()).isEqualTo(storedExpiry);
        });
        assertThat(store.tokens(other.connectionId())).get().extracting(StoredTokens::refreshToken).isEqualTo(
                "rt-other-new");
        assertThat(store.find(registered.id())).get().extracting(ConnectionView::accessTokenLifetimeSeconds)
                .isEqualTo(3600);
    }

    @Test
    void rotatedTokenIsStoredEvenIfASweepBumpedTheFenceMeanwhile() {
        Registered registered = store.register(aConnection().build(), now);
        Claim claim = claim(registered);
        jdbc.sql("UPDATE connection SET refresh_fence = refresh_fence + 1 WHERE id = :id").param("id", registered.id())
                .update();

        var newFence = outcomes.storeRefreshed(claim,
                new RefreshedTokens("at-new", "rt-new", now.plusSeconds(60), Duration.ofSeconds(60), null),
                now.plusSeconds(30), now, attempt(AttemptOutcome.REFRESHED));

        assertThat(newFence).hasValue(new Stored(registered.fence() + 2, false));
        assertThat(store.tokens(registered.id())).get().extracting(StoredTokens::refreshToken).isEqualTo("rt-new");
    }

    @Test
    void resultOfASupersededRefreshIsDropped() {
        Registered registered = store.register(aConnection().build(), now);
        Claim stale = claim(registered);
        outcomes.storeRefreshed(claim(registered),
                new RefreshedTokens("at-a", "rt-a", now.plusSeconds(60), Duration.ofSeconds(60), null),
                now.plusSeconds(30), now, attempt(AttemptOutcome.REFRESHED));

        var result = outcomes.storeRefreshed(stale,
                new RefreshedTokens("at-b", "rt-b", now.plusSeconds(60), Duration.ofSeconds(60), null),
                now.plusSeconds(30), now, attempt(AttemptOutcome.REFRESHED));

        assertThat(result).isEmpty();
        assertThat(store.tokens(registered.id())).get().extracting(StoredTokens::refreshToken).isEqualTo("rt-a");
    }

    @Test
    void aLateStoreOfTheTokensTheProviderRotatedRevivesAConnectionMarkedReauthRequiredOnTheSpentToken() {
        Registered registered = store.register(aConnection().tokens("at", "rt-spent").build(), now);
        // worker A calls with rt-spent, the provider rotates, A's answer is slow to be stored ...
        Claim slow = claim(registered);
        // ... meanwhile worker B calls with the same, now spent, token, gets invalid_grant, and ends the chain
        Claim late = new Claim(slow.connectionId(), slow.tenantId(), slow.provider(), slow.fence(), "w-b", slow
                .leaseUntil(), slow.lease(), slow.refreshToken(), slow.refreshTokenCiphertext(), slow.accessExpiresAt(),
                slow
                        .refreshExpiresAt(),
                0, null, null);
        assertThat(outcomes.markReauthRequired(late, "invalid_grant", now, attempt(AttemptOutcome.REAUTH_REQUIRED)))
                .isTrue();
        // B's dead letter, archived; and an older one of another kind, which the revival does not answer
        long chainEnd = deadLetter(registered.id(), ChainEnds.INVALID_GRANT);
        long parked = deadLetter(registered.id(), "retries_exhausted");

        var stored = outcomes.storeRefreshed(slow, new RefreshedTokens("at-new", "rt-new", now.plusSeconds(3600),
                Duration.ofSeconds(3600), null), now.plusSeconds(3000), now, attempt(AttemptOutcome.REFRESHED));

        assertThat(stored).get().extracting(Stored::revived).isEqualTo(true);
        assertThat(store.find(registered.id())).get().satisfies(view -> {
            assertThat(view.status()).isEqualTo(ConnectionStatus.ACTIVE);
            assertThat(view.nextRefreshAt()).isEqualTo(now.plusSeconds(3000));
            assertThat(view.refreshFence()).isEqualTo(stored.get().fence());
        });
        assertThat(store.tokens(registered.id())).get().extracting(StoredTokens::refreshToken).isEqualTo("rt-new");
        assertThat(resolvedAt(chainEnd)).as("the invalid_grant letter").isEqualTo(now);
        assertThat(resolvedAt(parked)).as("a letter that did not end the chain").isNull();
        // a disconnected connection is never revived: its tokens are erased, and the store is refused
        Registered gone = store.register(aConnection().build(), now);
        Claim inFlight = claim(gone);
        store.disconnect(gone.id(), now, false);
        assertThat(outcomes.storeRefreshed(inFlight, new RefreshedTokens("a", "r", now.plusSeconds(60), Duration
                .ofSeconds(60), null), now, now, attempt(AttemptOutcome.REFRESHED))).isEmpty();
    }

    @Test
    void oneRowTheDatabaseRefusesFailsTheWholeGroupedStatementWithADataErrorNotAnOutage() {
        Registered good = store.register(aConnection().build(), now);
        Registered bad = store.register(aConnection().build(), now);
        Claim goodClaim = claim(good);
        Claim badClaim = claim(bad);
        Instant beyondPostgres = Instant.parse("+300000-01-01T00:00:00Z");

        assertThatThrownBy(() -> outcomes.storeAllRefreshed(List.of(
                new RefreshToStore(goodClaim, new RefreshedTokens("at-g", "rt-g", now.plusSeconds(60), Duration
                        .ofSeconds(60), null), now.plusSeconds(30), now, attempt(AttemptOutcome.REFRESHED)),
                new RefreshToStore(badClaim, new RefreshedTokens("at-b", "rt-b", now.plusSeconds(60), Duration
                        .ofSeconds(60), null), beyondPostgres, now, attempt(AttemptOutcome.REFRESHED)))))
                // what the worker's group commit runs again row by row (an outage it would fail as a whole)
                .isInstanceOf(org.springframework.dao.DataAccessException.class)
                .isNotInstanceOf(org.springframework.dao.TransientDataAccessException.class)
                .isNotInstanceOf(org.springframework.dao.DataAccessResourceFailureException.class);
        // one statement, one transaction: the good row is not stored either, until it is run alone
        assertThat(store.tokens(good.id())).get().extracting(StoredTokens::refreshToken).isNotEqualTo("rt-g");
        assertThat(outcomes.storeRefreshed(goodClaim, new RefreshedTokens("at-g", "rt-g", now.plusSeconds(60),
                Duration.ofSeconds(60), null), now.plusSeconds(30), now, attempt(AttemptOutcome.REFRESHED)))
                .isPresent();
    }

    @Test
    void reauthRequiredEndsTheChain() {
        Registered registered = store.register(aConnection().build(), now);

        assertThat(outcomes.markReauthRequired(claim(registered), "invalid_grant", now,
                attempt(AttemptOutcome.REAUTH_REQUIRED))).isTrue();

        assertThat(store.find(registered.id())).get().satisfies(view -> {
            assertThat(view.status()).isEqualTo(ConnectionStatus.REAUTH_REQUIRED);
            assertThat(view.nextRefreshAt()).isNull();
            assertThat(view.lastError()).isEqualTo("invalid_grant");
        });
    }

    @Test
    void sweepReenqueuesOneProvidersConnectionsDueBeforeTheCutoffWithANewFenceButNotLeasedOnes() {
        Instant past = now.minus(Duration.ofHours(3));
        Registered overdue = store.register(aConnection().at(past).build(), past);
        Registered leased = store.register(aConnection().at(past).build(), past);
        claims.claim(leased.id(), leased.fence(), "w1", Duration.ofSeconds(30));

        Registered otherProvider = store.register(aConnection().provider("acme").at(past).build(), past);
        // its access token expired at registration: due at once, a minute ago, after the cutoff
        Registered dueLater = store.register(aConnection().at(now.minus(Duration.ofMinutes(1))).accessTokenLifetime(
                Duration.ZERO).build(), now.minus(Duration.ofMinutes(1)));

        var result = this.overdue.rescheduleOverdue("quickbooks", now.minus(Duration.ofMinutes(2)), now, 10_000);

        assertThat(result.leader()).isTrue();
        assertThat(result.rescheduled()).extracting(Rescheduled::connectionId).contains(overdue.id())
                .doesNotContain(leased.id(), otherProvider.id(), dueLater.id());
        assertThat(store.find(overdue.id())).get().extracting(ConnectionView::refreshFence)
                .isEqualTo(overdue.fence() + 1);
    }

    private Claim claim(Registered registered) {
        long fence = store.find(registered.id()).orElseThrow().refreshFence();
        return ((ClaimResult.Claimed) claims.claim(registered.id(), fence, "w-" + UUID.randomUUID(), Duration.ZERO))
                .claim();
    }

    private long deadLetter(UUID connectionId, String reason) {
        return jdbc
                .sql("""
                        INSERT INTO dead_letter (reason, connection_id, body, received_at) VALUES (:reason, :id, ''::bytea, now())
                        RETURNING id
                        """)
                .param("reason", reason).param("id", connectionId).query(Long.class).single();
    }

    private Instant resolvedAt(long deadLetterId) {
        return jdbc.sql("SELECT resolved_at FROM dead_letter WHERE id = :id").param("id", deadLetterId).query(
                OffsetDateTime.class).optional().map(OffsetDateTime::toInstant).orElse(null);
    }

    private long refreshedAttempts(UUID id) {
        return jdbc.sql("SELECT count(*) FROM refresh_attempt WHERE connection_id = :id AND outcome = 'REFRESHED'")
                .param("id", id).query(Long.class).single();
    }

    private AttemptRecord attempt(AttemptOutcome outcome) {
        return new AttemptRecord(now, outcome, 200, null, Duration.ofMillis(12), "w1");
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import({CryptoConfiguration.class, ConnectionPersistenceConfiguration.class})
    static class StoreOnly {
        @Bean
        Clock clock() {
            return Clock.systemUTC();
        }
    }
}
