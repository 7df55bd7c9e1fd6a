package dev.tokenrefresher.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tokenrefresher.common.messaging.RefresherTopology;
import dev.tokenrefresher.common.test.RabbitFixtures;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import tools.jackson.databind.JsonNode;

/**
 * The ways issue 18 lists for the system itself to end a chain, each hit at its dangerous moment on the running system
 * (real PostgreSQL, RabbitMQ, sandbox provider, scheduler and worker processes). One nested class per path of
 * docs/architecture.md, "What can end a chain, and what cannot"; the provider's tokens live an hour, so every provider
 * call a test sees is one it caused (a connection registered with tokens two hours old is refreshed at once).
 */
class TokenSafetyIT {

    private static final Duration SOON = Duration.ofSeconds(20);
    private static final String LOST = "answer_lost_after_rotation";
    /** Shorter than the stall of {@code stall} faults, so those end in a timeout. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);
    /**
     * How long after a timed-out call the provider may still serve it: longer than the sandbox holds a request past
     * the request timeout in {@link TimedOutCall} ({@link TimedOutCall#HELD} - {@link #REQUEST_TIMEOUT}).
     */
    private static final Duration QUIET_PERIOD = Duration.ofSeconds(4);

    private static RunningSystem system;
    private static CachingConnectionFactory rabbit;
    private static String reauthEvents;

    @BeforeAll
    static void startSystem() {
        system = RunningSystem.start("token-safety", 1, List.of("--sandbox.rotate-every=1"), Map.of(
                "refresher.providers.quickbooks.request-timeout", REQUEST_TIMEOUT.toSeconds() + "s",
                "refresher.providers.quickbooks.timeout-quiet-period", QUIET_PERIOD.toSeconds() + "s",
                "refresher.worker.fast-retries", "3",
                "refresher.worker.fast-retry-backoff", "100ms",
                // OneRefusedRowInAGroupedStore holds stores queued behind a statement for a moment
                "refresher.worker.statement-max-wait", "10s",
                // a timed-out call's retry comes after the quiet period, not after the default 30 s of the ladder
                "refresher.worker.retry-initial-delay", "2s"));
        rabbit = RabbitFixtures.connectionFactory();
        RefresherTopology topology = new RefresherTopology(RabbitFixtures.messagingProperties(system.namespace()));
        RabbitAdmin admin = new RabbitAdmin(rabbit);
        reauthEvents = admin.declareQueue().getName();
        admin.declareBinding(new Binding(reauthEvents, Binding.DestinationType.QUEUE, topology.eventsExchange(),
                "connection.reauth_required.#", null));
    }

    @AfterAll
    static void stopSystem() {
        if (rabbit != null) {
            rabbit.destroy();
        }
        if (system != null) {
            system.close();
        }
    }

    /**
     * Issue 18, point 7: the provider rotated, and its answer with the new refresh token was lost on the way (the
     * connection reset, a 5xx, a 200 cut short, a body that stalls after the headers).
     */
    @Nested
    class AnswerLostAfterRotation {

        /** A provider that keeps the replaced token usable for a while (Xero: 30 minutes): every loss is survived. */
        @Nested
        class WithAReuseGrace {

            private static final Duration GRACE = Duration.ofMinutes(30);

            @Test
            void connectionResetIsSurvived() {
                assertSurvived("reset", null);
            }

            @Test
            void serverErrorIsSurvived() {
                assertSurvived("server_error", null);
            }

            @Test
            void truncated200IsSurvived() {
                assertSurvived("truncated", null);
            }

            @Test
            void bodyStallingPastTheRequestTimeoutIsSurvived() {
                assertSurvived("stall", REQUEST_TIMEOUT.toMillis() + 1_000);
            }

            private void assertSurvived(String kind, Long stallMillis) {
                Sandbox.Minted minted = system.sandbox().mint(1, GRACE).getFirst();
                system.sandbox().afterRotation(minted.realmId(), kind, 1, stallMillis);

                UUID id = registerDue(kind, minted);

                // the lost refresh, then the retry with the stored (replaced) token: a fresh pair, stored
                await().atMost(SOON).untilAsserted(() -> {
                    assertThat(system.sandbox().graceReuses(minted.realmId())).isEqualTo(1);
                    assertThat(storedRefreshTokenHash(id)).isEqualTo(system.sandbox().report(minted.realmId())
                            .currentRefreshTokenSha256());
                });
                JsonNode connection = system.connection(id);
                assertThat(connection.get("status").asString()).isEqualTo("ACTIVE");
                assertThat(Instant.parse(connection.get("nextRefreshAt").asString())).isAfter(Instant.now().plus(
                        Duration.ofMinutes(45)));
                assertThat(connection.get("lastError").isNull()).isTrue();
                assertThat(system.sandbox().report(minted.realmId()).invalidGrants()).isZero();
                assertThat(system.deadLetters("connectionId=" + id)).isEmpty();
            }
        }

        /**
         * A strictly rotating provider (Salesforce, Keycloak with revocation): the chain is lost, and no client can
         * mend it; it ends as what it is, answer_lost_after_rotation, never as a plain invalid_grant.
         */
        @Nested
        class WithStrictRotation {

            @Test
            void connectionResetEndsTheChainAsAnswerLostAfterRotation() throws Exception {
                assertEndedAsLost("reset", null);
            }

            @Test
            void serverErrorEndsTheChainAsAnswerLostAfterRotation() throws Exception {
                assertEndedAsLost("server_error", null);
            }

            @Test
            void truncated200EndsTheChainAsAnswerLostAfterRotation() throws Exception {
                assertEndedAsLost("truncated", null);
            }

            @Test
            void bodyStallingPastTheRequestTimeoutEndsTheChainAsAnswerLostAfterRotation() throws Exception {
                assertEndedAsLost("stall", REQUEST_TIMEOUT.toMillis() + 1_000);
            }

            private void assertEndedAsLost(String kind, Long stallMillis) throws Exception {
                Sandbox.Minted minted = system.sandbox().mint(1, Duration.ZERO).getFirst();
                system.sandbox().afterRotation(minted.realmId(), kind, 1, stallMillis);
                double lostBefore = deadLettered(LOST);
                double invalidGrantBefore = deadLettered("invalid_grant");

                UUID id = registerDue(kind, minted);

                await().atMost(SOON).until(() -> system.connection(id).get("status").asString().equals(
                        "REAUTH_REQUIRED"));
                JsonNode connection = system.connection(id);
                assertThat(connection.get("lastError").asString()).isEqualTo(LOST);
                assertThat(connection.path("recentAttempts").path(0).path("errorCode").asString()).isEqualTo(LOST);
                await().atMost(SOON).until(() -> system.deadLetters("connectionId=" + id).size() == 1);
                JsonNode deadLetter = system.deadLetters("connectionId=" + id).get(0);
                assertThat(deadLetter.get("reason").asString()).isEqualTo(LOST);
                assertThat(deadLetter.get("errorCode").asString()).isEqualTo("invalid_grant");
                assertThat(deadLetter.toString()).doesNotContain(minted.refreshToken());
                JsonNode event = await().atMost(SOON).until(() -> nextReauthEvent(id), e -> e != null);
                assertThat(event.get("reason").asString()).isEqualTo(LOST);
                AppProcess worker = system.workers().getFirst();
                await().atMost(SOON).until(() -> deadLettered(LOST) == lostBefore + 1);
                assertThat(deadLettered("invalid_grant")).isEqualTo(invalidGrantBefore);
                assertThat(RunningSystem.counter(worker, "refresher.refreshes", "outcome:" + LOST)).isPositive();
                // the sandbox did refuse the spent token: the loss was real, only its name differs
                assertThat(system.sandbox().report(minted.realmId()).invalidGrants()).isEqualTo(1);
            }
        }
    }

    /**
     * Issue 18, point 9: a provider that answers 429 with a {@code Retry-After} of a day, to a connection whose refresh
     * token has 20 minutes left. Honouring it whole schedules the retry after the token died: the tenant would have to
     * reconnect for a rate limit. The retry comes at half the token's remaining life at the latest.
     */
    @Nested
    class LongRetryAfter {

        @Test
        void aRetryAfterLongerThanTheRefreshTokensLifeIsCappedSoTheRetryComesWhileItStillWorks() {
            Sandbox.Minted minted = system.sandbox().mint(1).getFirst();
            Instant obtainedAt = Instant.now().minus(Duration.ofHours(2));
            // the refresh token was issued with 2 h 20 min to live, two hours ago: 20 minutes are left
            Sandbox.Minted shortLived = new Sandbox.Minted(minted.realmId(), minted.accessToken(), minted
                    .refreshToken(), minted.expiresIn(), Duration.ofMinutes(140).toSeconds());
            system.sandbox().failNext(1, 429, Duration.ofDays(1));

            UUID id = system.registerOrFail("retry-after-" + UUID.randomUUID(), shortLived, obtainedAt);

            await().atMost(SOON).untilAsserted(() -> assertThat(system.connection(id).path("recentAttempts").path(0)
                    .path("outcome").asString()).isEqualTo("TRANSIENT_FAILURE"));
            JsonNode connection = system.connection(id);
            Instant refreshExpiresAt = Instant.parse(connection.get("refreshExpiresAt").asString());
            Instant retryAt = Instant.parse(connection.get("nextRefreshAt").asString());
            assertThat(connection.get("status").asString()).isEqualTo("ACTIVE");
            assertThat(retryAt).as("the retry, with the refresh token expiring at %s", refreshExpiresAt)
                    .isBefore(refreshExpiresAt)
                    .isAfter(Instant.now());
            assertThat(Duration.between(Instant.now(), retryAt)).isLessThanOrEqualTo(Duration.ofMinutes(10));
        }
    }

    /**
     * Issue 18, point 4: one row of a group-committed store that the database refuses (here a trigger refuses the new
     * refresh token of one connection, as PostgreSQL refuses a value it cannot take). Before, the other rows were
     * stored, but the refused row's new tokens were dropped after the provider had rotated (the delivery went back to
     * the queue, for a claim with the spent token once the lease ended). Now they are handed off, parked with their
     * connection, and dead-lettered; the operator moves them back once the cause is fixed.
     */
    @Nested
    class OneRefusedRowInAGroupedStore {

        private static final int CONNECTIONS = 40;
        /**
         * How long the sandbox holds the answers of the refused connection and its companion: the slow row's store
         * has started by then, so theirs queue up behind it, together.
         */
        private static final Duration HELD = Duration.ofMillis(500);
        /** The advisory lock the slow row's store waits at until the test lets it go. */
        private static final long GATE = 18_004L;

        @Test
        void onlyTheRefusedRowFailsItsTokensAreParkedAndAnOperatorMovesThemBackAndTheChainGoesOn() {
            // no fault left by another test of the class may answer one of these before the provider rotates
            system.sandbox().clearFaults();
            List<Sandbox.Minted> minted = system.sandbox().mint(CONNECTIONS, Duration.ZERO);
            // the worker's first deliveries (the provider's concurrency, 8) hold these three
            Sandbox.Minted slowMinted = minted.get(0);
            Sandbox.Minted refusedMinted = minted.get(1);
            Sandbox.Minted companionMinted = minted.get(2);
            List<Sandbox.Minted> others = minted.stream().filter(m -> m != refusedMinted)
                    .toList();
            StoredConnections table = new StoredConnections(system.namespace());
            RefresherTopology topology = new RefresherTopology(RabbitFixtures.messagingProperties(system
                    .namespace()));
            Instant dueAtOnce = Instant.now().minus(Duration.ofHours(2));
            Map<String, UUID> ids = new HashMap<>();
            // With no worker running, nothing is refreshed until all are registered and the database is set up; a
            // worker started then receives the 40 messages in one burst, so its first deliveries are the first
            // registered. (A frozen worker thawed instead may take a first batch of one, which then waits at the gate
            // with every other delivery behind it.) The slow row's store waits at a gate the test holds; the refused
            // row and its companion, answered half a second later, queue up behind it (a queued row waits up to
            // statement-max-wait, 10 s here); once they wait, the gate opens and they go out in one statement.
            AppProcess stopped = system.workers().getFirst();
            stopped.kill();
            UUID refused;
            AppProcess worker;
            try (StoredConnections.HeldLock gate = table.holdAdvisoryLock(GATE)) {
                for (Sandbox.Minted m : minted) {
                    ids.put(m.realmId(), system.registerOrFail("grouped-" + UUID.randomUUID(), m, dueAtOnce));
                }
                system.sandbox().answerDelay(refusedMinted.realmId(), HELD);
                system.sandbox().answerDelay(companionMinted.realmId(), HELD);
                onTokenStoreOf(table, ids.get(slowMinted.realmId()), "slow_token_store",
                        "PERFORM pg_advisory_xact_lock(" + GATE + "); RETURN NEW;");
                onTokenStoreOf(table, ids.get(refusedMinted.realmId()), "refuse_token_store",
                        "RAISE EXCEPTION 'refused for the test' USING ERRCODE = '22008';");
                worker = system.restartWorker(stopped);
                worker.awaitHealthy();
                refused = ids.get(refusedMinted.realmId());
                // the refused row and its companion are answered (half a second after the slow row's store took
                // the drainer), and at least two stores wait behind the gate: theirs
                await().atMost(SOON).until(() -> Stream.of(refusedMinted, companionMinted).map(m -> system.sandbox()
                        .report(m.realmId())).allMatch(r -> r.refreshes() == 1 && r.inFlight() == 0));
                await().during(Duration.ofMillis(300)).atMost(SOON).until(() -> RunningSystem.meter(worker,
                        "refresher.statement.queued", "statement:store") >= 2);
            }
            try {
                // every other row stored, with the sandbox's current token; the refused one parked with its hand-off
                await().atMost(SOON).untilAsserted(() -> {
                    Map<UUID, StoredConnections.Row> rows = rowsById(table);
                    Map<String, Sandbox.Report> reports = system.sandbox().reports();
                    for (Sandbox.Minted m : others) {
                        assertThat(rows.get(ids.get(m.realmId())).refreshTokenSha256()).as(m.realmId()).isEqualTo(
                                reports.get(m.realmId()).currentRefreshTokenSha256());
                    }
                    assertThat(rows.get(refused).lastError()).isEqualTo("store_refused: 22008");
                });
                assertThat(RunningSystem.counter(worker, "refresher.statement.split", "statement:store"))
                        .as("the store was grouped, and split when one row was refused").isPositive();
                assertThat(RunningSystem.counter(worker, "refresher.handoff.store_refused", "")).isEqualTo(1);
                StoredConnections.Row parked = rowsById(table).get(refused);
                assertThat(parked.status()).isEqualTo("ACTIVE");
                assertThat(parked.leaseOwner()).isEqualTo("parked-handoff");
                // the row still holds the token the provider has replaced: nobody may call with it, nobody did
                assertThat(parked.refreshTokenSha256()).isEqualTo(StoredConnections.sha256(refusedMinted
                        .refreshToken()));
                assertThat(system.connection(refused).get("nextRefreshAt").isNull()).isTrue();
                await().atMost(SOON).until(() -> system.deadLetters("connectionId=" + refused).size() == 1);
                JsonNode deadLetter = system.deadLetters("connectionId=" + refused).get(0);
                assertThat(deadLetter.get("reason").asString()).isEqualTo("store_refused");
                assertThat(deadLetter.get("errorCode").asString()).isEqualTo("22008");
                Message handOff = await().atMost(SOON).until(() -> new RabbitTemplate(rabbit).receive(topology
                        .parkedQueue()), message -> message != null);
                assertThat(handOff.getMessageProperties().getHeaders()).containsEntry("x-connection-id", refused
                        .toString());

                // the operator fixes the cause, moves the hand-off back, and the drain stores the tokens
                dropTriggers(table);
                new RabbitTemplate(rabbit).send(topology.handoffExchange(), "", handOff);
                await().atMost(SOON).untilAsserted(() -> assertThat(rowsById(table).get(refused)
                        .refreshTokenSha256()).isEqualTo(system.sandbox().report(refusedMinted.realmId())
                                .currentRefreshTokenSha256()));
                assertThat(rowsById(table).get(refused).leaseOwner()).isNull();
                assertThat(rowsById(table).get(refused).lastError()).isNull();

                // and replays the dead letter: the chain goes on, with the stored token
                JsonHttp.Response replay = JsonHttp.post(system.scheduler().url("/api/dead-letters/replay"), Map.of(
                        "ids", List.of(deadLetter.get("id").asLong())));
                assertThat(replay.status()).isEqualTo(200);
                assertThat(replay.body().get("replayed")).hasSize(1);
                await().atMost(SOON).untilAsserted(() -> {
                    Sandbox.Report report = system.sandbox().report(refusedMinted.realmId());
                    assertThat(report.refreshes()).isEqualTo(2);
                    assertThat(rowsById(table).get(refused).refreshTokenSha256()).isEqualTo(report
                            .currentRefreshTokenSha256());
                });
                assertThat(system.connection(refused).get("status").asString()).isEqualTo("ACTIVE");
                Map<String, Sandbox.Report> reports = system.sandbox().reports();
                assertThat(minted).allSatisfy(m -> assertThat(reports.get(m.realmId()).invalidGrants()).as(m
                        .realmId()).isZero());
            } finally {
                dropTriggers(table);
            }
        }

        /**
         * Runs {@code body} (PL/pgSQL) before any update that stores a new refresh token for connection {@code id};
         * any other update of its row goes through untouched. A {@code RAISE} refuses the row as PostgreSQL refuses a
         * value it cannot take.
         */
        private static void onTokenStoreOf(StoredConnections table, UUID id, String name, String body) {
            table.execute("CREATE FUNCTION " + name + "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN " + body
                    + " END $$");
            table.execute("CREATE TRIGGER " + name + " BEFORE UPDATE ON connection FOR EACH ROW WHEN (NEW.id = '" + id
                    + "' AND NEW.refresh_token_enc IS DISTINCT FROM OLD.refresh_token_enc) EXECUTE FUNCTION " + name
                    + "()");
        }

        private static void dropTriggers(StoredConnections table) {
            for (String name : List.of("slow_token_store", "refuse_token_store")) {
                table.execute("DROP TRIGGER IF EXISTS " + name + " ON connection");
                table.execute("DROP FUNCTION IF EXISTS " + name + "()");
            }
        }

        private static Map<UUID, StoredConnections.Row> rowsById(StoredConnections table) {
            Map<UUID, StoredConnections.Row> rows = new HashMap<>();
            table.all().forEach(row -> rows.put(row.id(), row));
            return rows;
        }
    }

    /**
     * Issue 19, point 2: a call that timed out may still be running at the provider. The sandbox holds the first token
     * request past the request timeout, and 2 s longer; a call with the same refresh token meanwhile would overlap it
     * (a provider that serves the held request first ends a strictly rotating chain). Neither the worker nor an
     * on-demand caller calls again before the provider's quiet period has passed.
     */
    @Nested
    class TimedOutCall {

        /** How long the sandbox holds the request: past the request timeout, shorter than it plus the quiet period. */
        static final Duration HELD = REQUEST_TIMEOUT.plusSeconds(2);

        @Test
        void theWorkerRetriesOnlyAfterTheQuietPeriodWithoutOverlapOrReuseAndTheChainGoesOn() {
            Sandbox.Minted minted = system.sandbox().mint(1).getFirst();
            system.sandbox().stallNext(1, HELD);

            UUID id = registerDue("timeout", minted);

            await().atMost(SOON).untilAsserted(() -> {
                Sandbox.Report report = system.sandbox().report(minted.realmId());
                assertThat(report.refreshes()).isPositive();
                assertThat(storedRefreshTokenHash(id)).isEqualTo(report.currentRefreshTokenSha256());
            });
            assertNoOverlapNoReuseAndOneRefresh(minted);
            JsonNode attempts = assertRetriedAfterTheQuietPeriod(id);
            assertThat(attempts.get(0).get("worker").asString()).isEqualTo(system.workers().getFirst().name());
            JsonNode connection = system.connection(id);
            assertThat(connection.get("status").asString()).isEqualTo("ACTIVE");
            assertThat(connection.get("lastError").isNull()).isTrue();
            assertThat(Instant.parse(connection.get("nextRefreshAt").asString())).isAfter(Instant.now().plus(Duration
                    .ofMinutes(45)));
            assertThat(RunningSystem.counter(system.workers().getFirst(), "refresher.retries", "reason:after_timeout"))
                    .isPositive();
        }

        @Test
        void anOnDemandCallerGets503AndTheNextCallerRefreshesOnlyAfterTheQuietPeriodWithoutOverlap() {
            Sandbox.Minted minted = system.sandbox().mint(1).getFirst();
            // issued 30 minutes ago: the workers' refresh is 20 minutes away, and 40 minutes of validity need one now
            UUID id = system.registerOrFail("timeout-on-demand-" + UUID.randomUUID(), minted, Instant.now().minus(
                    Duration.ofMinutes(30)));
            system.sandbox().stallNext(1, HELD);

            JsonHttp.Response first = accessToken(id, 2_400);
            JsonHttp.Response second = accessToken(id, 2_400);

            assertThat(first.status()).as(first.body().toString()).isEqualTo(503);
            assertThat(first.body().get("errorCode").asString()).isEqualTo("timeout");
            assertThat(first.headers().firstValue("Retry-After").map(Long::parseLong)).hasValueSatisfying(
                    seconds -> assertThat(seconds).isGreaterThanOrEqualTo(QUIET_PERIOD.toSeconds()));
            assertThat(second.status()).as(second.body().toString()).isEqualTo(200);
            assertThat(second.body().get("refreshed").asBoolean()).isTrue();
            assertNoOverlapNoReuseAndOneRefresh(minted);
            assertRetriedAfterTheQuietPeriod(id);
            assertThat(storedRefreshTokenHash(id)).isEqualTo(system.sandbox().report(minted.realmId())
                    .currentRefreshTokenSha256());
            assertThat(system.connection(id).get("status").asString()).isEqualTo("ACTIVE");
        }

        private static void assertNoOverlapNoReuseAndOneRefresh(Sandbox.Minted minted) {
            Sandbox.Report report = system.sandbox().report(minted.realmId());
            assertThat(report.overlappingRefreshes()).as("calls while the timed-out one was held").isZero();
            assertThat(report.invalidGrants()).as("calls with a rotated refresh token").isZero();
            assertThat(report.graceReuses()).isZero();
            assertThat(report.refreshes()).isEqualTo(1);
        }

        /** @return the attempts, newest first: the retry's success, then the timeout */
        private static JsonNode assertRetriedAfterTheQuietPeriod(UUID id) {
            JsonNode attempts = system.connection(id).get("recentAttempts");
            assertThat(attempts.findValuesAsString("outcome")).containsExactly("REFRESHED", "TRANSIENT_FAILURE");
            assertThat(attempts.get(1).get("errorCode").asString()).isEqualTo("timeout");
            Instant timedOutAt = Instant.parse(attempts.get(1).get("attemptedAt").asString());
            Instant retrySentAt = Instant.parse(attempts.get(0).get("attemptedAt").asString()).minusMillis(attempts
                    .get(0).get("durationMs").asLong());
            Duration gap = Duration.between(timedOutAt, retrySentAt);
            System.out.printf("connection %s: the next call went out %d ms after the timeout (quiet period %d ms)%n",
                    id, gap.toMillis(), QUIET_PERIOD.toMillis());
            assertThat(gap).as("from the timeout to the next call").isGreaterThanOrEqualTo(QUIET_PERIOD);
            return attempts;
        }
    }

    private static JsonHttp.Response accessToken(UUID id, long minValiditySeconds) {
        return JsonHttp.get(system.scheduler().url("/api/connections/" + id + "/access-token?minValiditySeconds="
                + minValiditySeconds), JsonHttp.TOKEN_READER_KEY);
    }

    private static UUID registerDue(String kind, Sandbox.Minted minted) {
        return system.registerOrFail("lost-" + kind + "-" + UUID.randomUUID(), minted, Instant.now().minus(Duration
                .ofHours(2)));
    }

    private static String storedRefreshTokenHash(UUID id) {
        Map<UUID, String> stored = new HashMap<>();
        new StoredConnections(system.namespace()).all().forEach(row -> stored.put(row.id(), row
                .refreshTokenSha256()));
        return stored.get(id);
    }

    private static double deadLettered(String reason) {
        return RunningSystem.counter(system.workers().getFirst(), "refresher.dead_letters", "reason:" + reason);
    }

    private static JsonNode nextReauthEvent(UUID connectionId) throws Exception {
        for (Message message; (message = new RabbitTemplate(rabbit).receive(reauthEvents)) != null;) {
            JsonNode event = JsonHttp.JSON.readTree(message.getBody());
            if (event.get("connectionId").asString().equals(connectionId.toString())) {
                return event;
            }
        }
        return null;
    }
}
