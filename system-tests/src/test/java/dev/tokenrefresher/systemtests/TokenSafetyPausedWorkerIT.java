package dev.tokenrefresher.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tokenrefresher.common.messaging.RefresherTopology;
import dev.tokenrefresher.common.test.BlackholeProxy;
import dev.tokenrefresher.common.test.RabbitFixtures;
import dev.tokenrefresher.common.test.TestServices;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import tools.jackson.databind.JsonNode;

/**
 * Token safety, issue 18 path 6: {@code invalid_grant} after a race is not a lost tenant. The race no lease can
 * prevent: a worker holds the tokens the provider has just issued and stops running (a stop-the-world pause, a frozen
 * VM, SIGSTOP) for longer than its lease. Another worker then takes the connection over, as it must, and calls the
 * provider with the refresh token the frozen one consumed: a strictly rotating provider answers {@code invalid_grant}.
 * When the frozen worker runs again, its tokens are the chain's.
 *
 * <p>Worker A reaches PostgreSQL through a proxy the test takes down right after the sandbox rotated, so A holds the
 * issued tokens unstored (its recorder retrying) when the test freezes it; the proxy is back before A thaws. Worker B
 * starts while A is frozen, with a direct connection. The sandbox rotates strictly: no reuse grace.
 */
class TokenSafetyPausedWorkerIT {

    /** Shorter than the request timeout, so that the answer arrives; long enough to take A's database away. */
    private static final Duration ANSWER_HELD = Duration.ofSeconds(2);
    /**
     * The worker's worst case between claim and store: 3 calls of 3 s, 2 pauses of 2 s, 10 s of store retries, the
     * hand-off's 2 s, 2 s of group-commit wait, 1 s of statements: 28 s.
     */
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final Duration SOON = Duration.ofSeconds(30);
    /** A's lease, the sweep's grace and a new worker's start. */
    private static final Duration TAKEOVER = LEASE.plusSeconds(60);

    private BlackholeProxy databaseOfA;
    private RunningSystem system;
    private CachingConnectionFactory rabbit;
    private String events;
    private final List<AppProcess> frozen = new ArrayList<>();

    @BeforeEach
    void startSystemWithoutWorkers() {
        databaseOfA = BlackholeProxy.to(TestServices.get().postgresHost(), TestServices.get().postgresPort());
        // the sweep re-enqueues the connection soon after A's lease ended
        Map<String, String> settings = new LinkedHashMap<>(ShortTokenSettings.noGuardWaitsAndAQuickSweep());
        settings.put("refresher.worker.lease", LEASE.toSeconds() + "s");
        settings.put("refresher.providers.quickbooks.request-timeout", "3s");
        settings.put("refresher.handoff.confirm-timeout", "2s");
        system = RunningSystem.start("paused-worker", 0, List.of("--sandbox.rotate-every=1"), settings);
        rabbit = RabbitFixtures.connectionFactory();
        RefresherTopology topology = new RefresherTopology(RabbitFixtures.messagingProperties(system.namespace()));
        RabbitAdmin admin = new RabbitAdmin(rabbit);
        events = admin.declareQueue().getName();
        admin.declareBinding(new Binding(events, Binding.DestinationType.QUEUE, topology.eventsExchange(),
                "connection.#", null));
    }

    @AfterEach
    void stopSystem() {
        frozen.forEach(AppProcess::thaw);
        if (rabbit != null) {
            rabbit.destroy();
        }
        if (system != null) {
            system.close();
        }
        if (databaseOfA != null) {
            databaseOfA.close();
        }
    }

    @Test
    void aWorkerFrozenPastItsLeaseWithIssuedTokensStoresThemLateAndRevivesTheChainTheTakeoverEnded() throws Exception {
        Holder a = workerAHoldsIssuedTokensAndFreezes();

        // B takes over after A's lease, calls with the consumed token, and the provider ends the chain
        system.addWorker(Map.of());
        StoredConnections table = new StoredConnections(system.namespace());
        await().atMost(TAKEOVER).pollInterval(Duration.ofMillis(500)).until(() -> row(table, a.id()).status().equals(
                "REAUTH_REQUIRED"));
        assertThat(system.sandbox().report(a.realmId()).invalidGrants()).isEqualTo(1);
        JsonNode letter = await().atMost(SOON).until(() -> chainEndLetter(a.id()), l -> l != null);
        assertThat(letter.path("resolvedAt").isNull()).as("pending while the chain is ended: " + letter).isTrue();

        thaw(a.worker());

        Sandbox.Report atProvider = system.sandbox().report(a.realmId());
        await().atMost(SOON).untilAsserted(() -> assertThat(row(table, a.id())).satisfies(row -> {
            assertThat(row.status()).isEqualTo("ACTIVE");
            assertThat(row.refreshTokenSha256()).isEqualTo(atProvider.currentRefreshTokenSha256());
        }));
        await().atMost(SOON).untilAsserted(() -> assertThat(chainEndLetter(a.id()).path("resolvedAt").isNull())
                .as("the invalid_grant letter, resolved").isFalse());
        assertThat(system.deadLetters("includeReplayed=false&connectionId=" + a.id())).as("pending letters").isEmpty();
        assertThat(eventTypes(a.id())).contains("reauth_required", "recovered");
        theChainGoesOn(a, 1);
    }

    @Test
    void aTakeoverWhoseInvalidGrantArrivesAfterTheFrozenWorkerStoredIsSupersededAndEndsNothing() throws Exception {
        Holder a = workerAHoldsIssuedTokensAndFreezes();
        // B's call waits at the provider before it is decided, long enough for A to thaw and store meanwhile
        system.sandbox().settings(Map.of("latencyMillis", 2_500));

        system.addWorker(Map.of());
        await().atMost(TAKEOVER).pollInterval(Duration.ofMillis(50)).until(() -> system.sandbox().report(a
                .realmId()).inFlight() == 1);
        thaw(a.worker());

        StoredConnections table = new StoredConnections(system.namespace());
        await().atMost(SOON).until(() -> system.sandbox().report(a.realmId()).invalidGrants() == 1);
        system.sandbox().settings(Map.of("latencyMillis", 0));
        Sandbox.Report atProvider = system.sandbox().report(a.realmId());
        await().atMost(SOON).untilAsserted(() -> assertThat(row(table, a.id())).satisfies(row -> {
            assertThat(row.status()).isEqualTo("ACTIVE");
            assertThat(row.refreshTokenSha256()).isEqualTo(atProvider.currentRefreshTokenSha256());
        }));
        double superseded = system.workers().stream().mapToDouble(w -> RunningSystem.counter(w,
                "refresher.refreshes", "outcome:superseded")).sum();
        assertThat(superseded).as("B's invalid_grant, superseded").isEqualTo(1);
        assertThat(system.deadLetters("connectionId=" + a.id())).as("dead letters").isEmpty();
        assertThat(eventTypes(a.id())).doesNotContain("reauth_required");
        theChainGoesOn(a, 1);
    }

    /** A worker whose refresh the provider answered, with the tokens in its memory only, and frozen. */
    private record Holder(UUID id, String realmId, AppProcess worker) {
    }

    /**
     * Worker A claims a due connection; the sandbox rotates and holds its answer; the test takes A's database away
     * then, waits until A holds the issued tokens unstored (its recorder retrying, not yet handed off), freezes A and
     * gives the database back for when A runs again.
     */
    private Holder workerAHoldsIssuedTokensAndFreezes() {
        AppProcess a = system.addWorker(Map.of("spring.datasource.url", system.jdbcUrlThrough(databaseOfA.port())));
        Sandbox.Minted minted = system.sandbox().mint(1).getFirst();
        system.sandbox().answerDelay(minted.realmId(), ANSWER_HELD);
        UUID id = system.registerOrFail("paused-" + UUID.randomUUID(), minted, Instant.now().minus(Duration.ofHours(
                2)));

        // the provider has rotated: from here the consumed refresh token is spent
        await().atMost(SOON).pollInterval(Duration.ofMillis(50)).until(() -> system.sandbox().report(minted
                .realmId()).refreshes() == 1);
        databaseOfA.down();
        system.sandbox().answerDelay(minted.realmId(), Duration.ZERO);
        await().atMost(SOON).pollInterval(Duration.ofMillis(100)).until(() -> RunningSystem.meter(a,
                "refresher.handoff.held") == 1);
        // (ask before the freeze: a frozen app answers no HTTP call)
        assertThat(RunningSystem.counter(a, "refresher.handoff.published", "")).as("handed off already").isZero();
        a.freeze();
        frozen.add(a);
        databaseOfA.up();
        return new Holder(id, minted.realmId(), a);
    }

    private void thaw(AppProcess worker) {
        worker.thaw();
        frozen.remove(worker);
    }

    /** The stored token is the provider's current one: a refresh on demand works, with no new refusal. */
    private void theChainGoesOn(Holder a, long invalidGrantsOfTheRace) {
        JsonHttp.Response token = JsonHttp.get(system.scheduler().url("/api/connections/" + a.id()
                + "/access-token?minValiditySeconds=3599"), JsonHttp.TOKEN_READER_KEY);
        assertThat(token.status()).as(token.body().toString()).isEqualTo(200);
        Sandbox.Report report = system.sandbox().report(a.realmId());
        assertThat(report.refreshes()).isEqualTo(2);
        assertThat(report.invalidGrants()).as("only the takeover's call with the consumed token").isEqualTo(
                invalidGrantsOfTheRace);
        assertThat(report.revoked()).isFalse();
    }

    private static StoredConnections.Row row(StoredConnections table, UUID id) {
        return table.all().stream().filter(row -> row.id().equals(id)).findFirst().orElseThrow();
    }

    private JsonNode chainEndLetter(UUID id) {
        for (JsonNode letter : system.deadLetters("reason=invalid_grant&connectionId=" + id)) {
            return letter;
        }
        return null;
    }

    /** The event types published for the connection so far (the queue is drained into this list). */
    private final List<JsonNode> received = new ArrayList<>();

    private List<String> eventTypes(UUID id) throws Exception {
        for (Message message; (message = new RabbitTemplate(rabbit).receive(events)) != null;) {
            received.add(JsonHttp.JSON.readTree(message.getBody()));
        }
        return received.stream().filter(event -> event.path("connectionId").asString().equals(id.toString())).map(
                event -> event.path("type").asString()).toList();
    }
}
