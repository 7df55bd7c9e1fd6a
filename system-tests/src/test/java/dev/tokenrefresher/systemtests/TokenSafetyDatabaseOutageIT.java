package dev.tokenrefresher.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tokenrefresher.common.test.BlackholeProxy;
import dev.tokenrefresher.common.test.TestServices;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Token safety, issue 18 paths 1 and 2: PostgreSQL goes away between the provider's answer (the refresh token is
 * rotated, the consumed one spent) and the store, and stays away longer than the store retry and the lease together.
 * The scheduler and the worker reach PostgreSQL through a proxy the test stops; the test itself reads the table
 * directly. The sandbox rotates on every refresh and holds each answer {@value #ANSWER_HELD_MILLIS} ms after rotating,
 * so the test takes the database away exactly then.
 *
 * <p>Before the hand-off, the worker gave up storing after its retry, the delivery was retried, and once PostgreSQL
 * was back the lease had expired: the connection was claimed again and the spent refresh token sent to the provider,
 * whose {@code invalid_grant} ended the chain.
 */
class TokenSafetyDatabaseOutageIT {

    /** Shorter than the request timeout (3 s), so that the answer arrives; long enough to take the database away. */
    private static final long ANSWER_HELD_MILLIS = 2_000;
    private static final Duration STORE_RETRY = Duration.ofSeconds(3);
    /** The worst case the worker checks: 3 calls of 3 s, 2 pauses of 2 s, 3 s of store retries, 2 s hand-off, 2 s, 1 s. */
    private static final Duration LEASE = Duration.ofSeconds(21);
    /** Longer than the store retry and the lease together: whatever was retried or leased has given up by then. */
    private static final Duration OUTAGE = STORE_RETRY.plus(LEASE).plusSeconds(12);
    private static final Duration SOON = Duration.ofSeconds(30);

    private static BlackholeProxy database;
    private static RunningSystem system;

    @BeforeAll
    static void startSystem() {
        database = BlackholeProxy.to(TestServices.get().postgresHost(), TestServices.get().postgresPort());
        // the sweep runs often, so that it gets its chance to re-enqueue the connection the outage left
        Map<String, String> settings = new LinkedHashMap<>(ShortTokenSettings.noGuardWaitsAndAQuickSweep());
        settings.put("refresher.worker.store-retry-timeout", STORE_RETRY.toSeconds() + "s");
        settings.put("refresher.worker.lease", LEASE.toSeconds() + "s");
        // three tries of 3 s (the answer is held 2 s), so that the lease stays short
        settings.put("refresher.providers.quickbooks.request-timeout", "3s");
        settings.put("refresher.handoff.confirm-timeout", "2s");
        system = RunningSystem.start("db-outage", 1, List.of("--sandbox.rotate-every=1"), settings, database.port());
    }

    @AfterAll
    static void stopSystem() {
        if (system != null) {
            system.close();
        }
        if (database != null) {
            database.close();
        }
    }

    @AfterEach
    void answerAtOnceAndReachTheDatabaseAgain() {
        system.sandbox().settings(Map.of("answerDelayMillis", 0));
        database.up();
    }

    @Test
    void tokensIssuedJustBeforeALongDatabaseOutageAreStoredAfterItAndTheChainGoesOn() {
        Sandbox.Minted minted = system.sandbox().mint(1).getFirst();
        system.sandbox().settings(Map.of("answerDelayMillis", ANSWER_HELD_MILLIS));
        UUID id = system.registerOrFail("db-outage-" + UUID.randomUUID(), minted, Instant.now().minus(Duration
                .ofHours(2)));

        // the provider has rotated: from here the consumed refresh token is spent
        await().atMost(SOON).pollInterval(Duration.ofMillis(50)).until(() -> system.sandbox().report(minted
                .realmId()).refreshes() == 1);
        database.down();
        Instant downAt = Instant.now();
        await().pollDelay(Duration.ofSeconds(1)).atMost(OUTAGE.plusSeconds(5)).until(() -> Duration.between(downAt,
                Instant.now()).compareTo(OUTAGE) >= 0);
        database.up();

        StoredConnections table = new StoredConnections(system.namespace());
        Sandbox.Report atProvider = system.sandbox().report(minted.realmId());
        await().atMost(SOON).untilAsserted(() -> assertThat(table.all()).filteredOn(row -> row.id().equals(id))
                .singleElement().satisfies(row -> {
                    assertThat(row.status()).isEqualTo("ACTIVE");
                    assertThat(row.refreshTokenSha256()).isEqualTo(atProvider.currentRefreshTokenSha256());
                }));
        Sandbox.Report after = system.sandbox().report(minted.realmId());
        assertThat(after.invalidGrants()).as("calls with the spent refresh token").isZero();
        assertThat(after.revoked()).isFalse();
        assertThat(after.refreshes()).isEqualTo(1);
        assertThat(RunningSystem.counter(system.workers().getFirst(), "refresher.handoff.published", "")).isEqualTo(1);

        // and the stored token is the live one: the next refresh works (a 1-hour token issued a while ago falls short
        // of 3,599 s)
        JsonHttp.Response token = accessToken(id, 3_599);
        assertThat(token.status()).as(token.body().toString()).isEqualTo(200);
        assertThat(system.sandbox().report(minted.realmId()).refreshes()).isEqualTo(2);
        assertThat(system.sandbox().report(minted.realmId()).invalidGrants()).isZero();
    }

    @Test
    void anOnDemandRefreshWhoseStoreMeetsADatabaseOutageHandsItsTokensOffAndTellsTheCallerToComeBack() {
        Sandbox.Minted minted = system.sandbox().mint(1).getFirst();
        // issued a minute ago, due in some 55 minutes: only the on-demand call refreshes it
        UUID id = system.registerOrFail("db-outage-on-demand-" + UUID.randomUUID(), minted, Instant.now().minusSeconds(
                60));
        system.sandbox().settings(Map.of("answerDelayMillis", ANSWER_HELD_MILLIS));

        // 3,590 s of validity is more than the token has left: the call refreshes
        CompletableFuture<JsonHttp.Response> call = CompletableFuture.supplyAsync(() -> accessToken(id, 3_590));
        await().atMost(SOON).pollInterval(Duration.ofMillis(50)).until(() -> system.sandbox().report(minted
                .realmId()).refreshes() == 1);
        database.down();
        Instant downAt = Instant.now();

        JsonHttp.Response answer = call.join();
        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.body().path("errorCode").asString()).isEqualTo("handed_off");
        await().pollDelay(Duration.ofSeconds(1)).atMost(OUTAGE.plusSeconds(5)).until(() -> Duration.between(downAt,
                Instant.now()).compareTo(OUTAGE) >= 0);
        database.up();

        StoredConnections table = new StoredConnections(system.namespace());
        Sandbox.Report atProvider = system.sandbox().report(minted.realmId());
        await().atMost(SOON).untilAsserted(() -> assertThat(table.all()).filteredOn(row -> row.id().equals(id))
                .singleElement().extracting(StoredConnections.Row::refreshTokenSha256).isEqualTo(atProvider
                        .currentRefreshTokenSha256()));
        system.sandbox().settings(Map.of("answerDelayMillis", 0));
        JsonHttp.Response again = accessToken(id, 60);
        assertThat(again.status()).as(again.body().toString()).isEqualTo(200);
        assertThat(system.sandbox().report(minted.realmId()).invalidGrants()).isZero();
    }

    private static JsonHttp.Response accessToken(UUID id, long minValiditySeconds) {
        return JsonHttp.get(system.scheduler().url("/api/connections/" + id + "/access-token?minValiditySeconds="
                + minValiditySeconds), JsonHttp.TOKEN_READER_KEY);
    }
}
