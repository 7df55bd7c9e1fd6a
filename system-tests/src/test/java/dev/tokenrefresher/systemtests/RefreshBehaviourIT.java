package dev.tokenrefresher.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tokenrefresher.common.messaging.RefreshMessage;
import dev.tokenrefresher.common.messaging.RefreshMessageCodec;
import dev.tokenrefresher.common.messaging.RefreshPublisher;
import dev.tokenrefresher.common.messaging.RefresherTopology;
import dev.tokenrefresher.common.test.RabbitFixtures;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Single connections on the running system, with the provider's real one-hour tokens: nothing refreshes unless it is
 * due, so every provider call a test sees is one it caused.
 */
class RefreshBehaviourIT {

    private static final Duration SOON = Duration.ofSeconds(15);

    private static RunningSystem system;
    private static CachingConnectionFactory rabbit;
    private static RefreshPublisher publisher;
    private static String reauthEvents;

    @BeforeAll
    static void startSystem() {
        // a sweep every 2 s (grace 2 minutes, the default) lets a test watch it repair a lost chain
        system = RunningSystem.start("behaviour", 1, List.of("--sandbox.rotate-every=1"), Map.of(
                "refresher.sweep.interval", "2s"));
        rabbit = RabbitFixtures.connectionFactory();
        RefresherTopology topology = new RefresherTopology(RabbitFixtures.messagingProperties(system.namespace()));
        RabbitAdmin admin = new RabbitAdmin(rabbit);
        reauthEvents = admin.declareQueue().getName();
        admin.declareBinding(new Binding(reauthEvents, Binding.DestinationType.QUEUE, topology.eventsExchange(),
                "connection.reauth_required.#", null));
        publisher = new RefreshPublisher(rabbit,
                new RefresherTopology(RabbitFixtures.messagingProperties(system.namespace())),
                new RefreshMessageCodec(new ObjectMapper()), RabbitFixtures.messagingProperties(system.namespace()));
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

    @Test
    void expiredAccessTokenIsStillRefreshedAtOnceWhileTheRefreshTokenIsValid() {
        Sandbox.Minted minted = system.sandbox().mint(1).getFirst();
        Instant twoHoursAgo = Instant.now().minus(Duration.ofHours(2));

        UUID id = system.registerOrFail("expired-" + UUID.randomUUID(), minted, twoHoursAgo);

        await().atMost(SOON).until(() -> system.sandbox().report(minted.realmId()).refreshes() == 1);
        await().atMost(SOON).untilAsserted(() -> {
            JsonNode connection = system.connection(id);
            assertThat(connection.get("status").asString()).isEqualTo("ACTIVE");
            assertThat(Instant.parse(connection.get("accessExpiresAt").asString())).isAfter(Instant.now());
            assertThat(Instant.parse(connection.get("nextRefreshAt").asString()))
                    .isAfter(Instant.now().plus(Duration.ofMinutes(45)));
        });
    }

    @Test
    void aRefreshThatLandsAfterADisconnectIsRecordedAsDisconnectedNotSuperseded() {
        Sandbox.Minted minted = system.sandbox().mint(1).getFirst();
        // the provider takes 3 s: the host app disconnects the tenant while a worker's request is in flight
        system.sandbox().settings(Map.of("latencyMillis", 3000));
        try {
            long requestsBefore = system.sandbox().stats().get("requests").asLong();
            UUID id = system.registerOrFail("disconnect-" + UUID.randomUUID(), minted, Instant.now().minus(Duration
                    .ofHours(2)));
            await().atMost(SOON).until(() -> system.sandbox().stats().get("requests").asLong() > requestsBefore);

            assertThat(JsonHttp.delete(system.scheduler().url("/api/connections/" + id)).status()).isEqualTo(200);

            await().atMost(SOON).untilAsserted(() -> assertThat(system.connection(id).path("recentAttempts").path(0)
                    .path("outcome").asString()).isEqualTo("DISCONNECTED"));
            assertThat(system.sandbox().report(minted.realmId()).refreshes()).isEqualTo(1);
            assertThat(system.connection(id).get("status").asString()).isEqualTo("DISCONNECTED");
        } finally {
            system.sandbox().settings(Map.of("latencyMillis", 0));
        }
    }

    @Test
    void aRotatedRefreshTokenInAnOddAnswerIsStoredSoTheChainGoesOn() {
        // the sandbox rotates first and answers oddly after: the old refresh token is spent whatever the client does
        List<String> shapes = List.of("EXPIRES_IN_DECIMAL", "EXPIRES_IN_TEXT", "EXPIRES_IN_ZERO", "EXPIRES_IN_HUGE",
                "NO_ACCESS_TOKEN", "REFRESH_LIFETIME_DECIMAL", "OVERSIZED");
        List<Sandbox.Minted> minted = system.sandbox().mint(shapes.size());
        system.sandbox().oddAnswers(shapes);
        Instant dueAtOnce = Instant.now().minus(Duration.ofHours(2));

        List<UUID> ids = minted.stream().map(m -> system.registerOrFail("odd-" + UUID.randomUUID(), m, dueAtOnce))
                .toList();

        await().atMost(SOON).until(() -> minted.stream().allMatch(m -> system.sandbox().report(m.realmId())
                .refreshes() >= 1));
        StoredConnections table = new StoredConnections(system.namespace());
        await().atMost(SOON).untilAsserted(() -> {
            Map<String, String> stored = new java.util.HashMap<>();
            table.all().forEach(row -> stored.put(row.realmId(), row.refreshTokenSha256()));
            for (Sandbox.Minted m : minted) {
                assertThat(stored.get(m.realmId())).as(m.realmId()).isEqualTo(system.sandbox().report(m.realmId())
                        .currentRefreshTokenSha256());
            }
        });
        for (int i = 0; i < ids.size(); i++) {
            assertThat(system.connection(ids.get(i)).get("status").asString()).isEqualTo("ACTIVE");
            assertThat(system.sandbox().report(minted.get(i).realmId()).invalidGrants()).isZero();
        }
    }

    @Test
    void revokedConnectionEndsReauthRequiredAndNothingElseIsAffected() {
        List<Sandbox.Minted> minted = system.sandbox().mint(3);
        system.sandbox().revoke(minted.getFirst().realmId());
        Instant dueAtOnce = Instant.now().minus(Duration.ofHours(2));
        List<UUID> ids = minted.stream().map(m -> system.registerOrFail("revoke-" + UUID.randomUUID(), m, dueAtOnce))
                .toList();

        await().atMost(SOON).until(() -> system.connection(ids.getFirst()).get("status").asString()
                .equals("REAUTH_REQUIRED"));
        await().atMost(SOON).until(() -> ids.subList(1, 3).stream().allMatch(id -> system.connection(id)
                .get("lastRefreshedAt").isString()));

        JsonNode revoked = system.connection(ids.getFirst());
        assertThat(revoked.get("lastError").asString()).isEqualTo("invalid_grant");
        await().atMost(SOON).until(() -> system.deadLetters("connectionId=" + ids.getFirst()).size() == 1);
        JsonNode deadLetter = system.deadLetters("connectionId=" + ids.getFirst()).get(0);
        assertThat(deadLetter.get("reason").asString()).isEqualTo("invalid_grant");
        assertThat(deadLetter.get("provider").asString()).isEqualTo(RunningSystem.PROVIDER);
        assertThat(deadLetter.get("attempts").asInt()).isEqualTo(1);
        JsonNode event = await().atMost(SOON).until(() -> nextEvent(ids.getFirst()), e -> e != null);
        assertThat(event.get("type").asString()).isEqualTo("reauth_required");
        assertThat(event.get("tenantId").asString()).startsWith("revoke-");
        assertThat(event.toString()).doesNotContain(minted.getFirst().refreshToken())
                .doesNotContain(minted.getFirst().accessToken());
        for (UUID other : ids.subList(1, 3)) {
            assertThat(system.deadLetters("connectionId=" + other)).isEmpty();
        }
        assertThat(revoked.get("nextRefreshAt").isNull()).isTrue();
        assertThat(system.sandbox().report(minted.getFirst().realmId()).invalidGrants()).isEqualTo(1);
        for (int i = 1; i < 3; i++) {
            assertThat(system.connection(ids.get(i)).get("status").asString()).isEqualTo("ACTIVE");
            assertThat(system.sandbox().report(minted.get(i).realmId()).refreshes()).isEqualTo(1);
        }
    }

    @Test
    void wrongClientSecretDeadLettersAndLeavesConnectionsAloneUntilReplayed() {
        List<Sandbox.Minted> minted = system.sandbox().mint(3);
        system.sandbox().faults(Map.of("invalidClient", true));
        Instant dueAtOnce = Instant.now().minus(Duration.ofHours(2));
        List<UUID> ids;
        try {
            ids = minted.stream().map(m -> system.registerOrFail("client-" + UUID.randomUUID(), m, dueAtOnce))
                    .toList();
            await().atMost(SOON).until(() -> ids.stream().allMatch(id -> system.deadLetters("connectionId=" + id)
                    .size() == 1));
        } finally {
            system.sandbox().faults(Map.of("invalidClient", false));
        }

        for (int i = 0; i < ids.size(); i++) {
            JsonNode connection = system.connection(ids.get(i));
            assertThat(connection.get("status").asString()).isEqualTo("ACTIVE");
            assertThat(connection.get("nextRefreshAt").isNull()).as("parked until replayed").isTrue();
            assertThat(system.deadLetters("connectionId=" + ids.get(i)).get(0).get("reason").asString())
                    .isEqualTo("invalid_client");
            assertThat(system.sandbox().report(minted.get(i).realmId()).refreshes()).isZero();
        }

        JsonHttp.Response replay = JsonHttp.post(system.scheduler().url("/api/dead-letters/replay"), Map.of(
                "reason", "invalid_client"));

        assertThat(replay.status()).isEqualTo(200);
        assertThat(replay.body().get("replayed").findValuesAsString("connectionId")).containsAll(ids.stream()
                .map(UUID::toString).toList());
        await().atMost(SOON).until(() -> minted.stream().allMatch(m -> system.sandbox().report(m.realmId())
                .refreshes() == 1));
        assertThat(ids).allSatisfy(id -> assertThat(system.connection(id).get("nextRefreshAt").isString())
                .isTrue());

        JsonHttp.Response again = JsonHttp.post(system.scheduler().url("/api/dead-letters/replay"), Map.of(
                "reason", "invalid_client"));
        assertThat(again.body().get("replayed")).isEmpty();
        JsonHttp.Response byId = JsonHttp.post(system.scheduler().url("/api/dead-letters/replay"), Map.of("ids",
                List.of(system.deadLetters("connectionId=" + ids.getFirst()).get(0).get("id").asLong())));
        assertThat(byId.body().get("skipped").findValuesAsString("why")).containsExactly("already_replayed");
        assertThat(minted).allSatisfy(m -> assertThat(system.sandbox().report(m.realmId()).refreshes())
                .as("one refresh per replayed chain").isEqualTo(1));
    }

    @Test
    void replayWithoutScopeIsRefused() {
        JsonHttp.Response response = JsonHttp.post(system.scheduler().url("/api/dead-letters/replay"), Map.of());

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.body().get("errors").findValuesAsString("field")).containsExactly("ids");
    }

    @Test
    void staleAndDuplicateMessagesCauseNoProviderCall() {
        Sandbox.Minted minted = system.sandbox().mint(1).getFirst();
        UUID id = system.registerOrFail("stale-" + UUID.randomUUID(), minted, Instant.now());
        long fence = system.connection(id).get("refreshFence").asLong();
        AppProcess worker = system.workers().getFirst();
        double droppedBefore = dropped(worker);
        Instant now = Instant.now();

        // An old fence, then the current fence twice: only the first current one may reach the provider.
        publisher.publish(RunningSystem.PROVIDER, new RefreshMessage(id, fence - 1, now, 0), now);
        publisher.publish(RunningSystem.PROVIDER, new RefreshMessage(id, fence, now, 0), now);
        publisher.publish(RunningSystem.PROVIDER, new RefreshMessage(id, fence, now, 0), now);

        await().atMost(SOON).until(() -> dropped(worker) >= droppedBefore + 2);
        assertThat(system.sandbox().report(minted.realmId()).refreshes()).isEqualTo(1);
        assertThat(system.sandbox().report(minted.realmId()).invalidGrants()).isZero();
    }

    /**
     * Messages dropped without a provider call: for a stale fence, or for a lease held by another delivery of the
     * same message (duplicates in one batch run side by side; the one that comes second finds the lease).
     */
    private static double dropped(AppProcess worker) {
        return RunningSystem.counter(worker, "refresher.messages.dropped", "reason:stale_fence") + RunningSystem
                .counter(worker, "refresher.messages.dropped", "reason:leased");
    }

    @Test
    void registrationWithBadFieldsIsRefusedNamingEachField() {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("provider", "xero");
        request.put("accessToken", "a");
        request.put("expiresIn", -5);

        JsonHttp.Response missing = JsonHttp.post(system.scheduler().url("/api/connections"), request);

        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.body().get("errors").findValuesAsString("field")).contains("tenantId", "refreshToken",
                "expiresIn");

        request.put("tenantId", "t");
        request.put("refreshToken", "r");
        request.put("expiresIn", 3600);
        JsonHttp.Response unknownProvider = JsonHttp.post(system.scheduler().url("/api/connections"), request);

        assertThat(unknownProvider.status()).isEqualTo(400);
        assertThat(unknownProvider.body().get("errors").findValuesAsString("field")).containsExactly("provider");

        request.put("provider", RunningSystem.PROVIDER);
        request.put("expiresIn", "an hour");
        JsonHttp.Response wrongType = JsonHttp.post(system.scheduler().url("/api/connections"), request);

        assertThat(wrongType.status()).isEqualTo(400);
        assertThat(wrongType.body().get("errors").findValuesAsString("field")).containsExactly("expiresIn");
    }

    private static JsonNode nextEvent(UUID connectionId) throws Exception {
        for (Message message; (message = new RabbitTemplate(rabbit).receive(reauthEvents)) != null;) {
            JsonNode event = JsonHttp.JSON.readTree(message.getBody());
            if (event.get("connectionId").asString().equals(connectionId.toString())) {
                return event;
            }
        }
        return null;
    }

    @Test
    void lostChainIsReenqueuedByTheSweepAndRefreshedOnce() {
        Sandbox.Minted minted = system.sandbox().mint(1).getFirst();
        UUID id = system.registerOrFail("lost-" + UUID.randomUUID(), minted, Instant.now());
        // Its message (due in 50 minutes) is now stale, as if lost, and the refresh is 3 minutes overdue.
        new StoredConnections(system.namespace()).makeOverdue(id, Duration.ofMinutes(3));

        await().atMost(SOON).until(() -> system.sandbox().report(minted.realmId()).refreshes() == 1);

        await().atMost(SOON).untilAsserted(() -> assertThat(Instant.parse(system.connection(id).get("nextRefreshAt")
                .asString())).isAfter(Instant.now().plus(Duration.ofMinutes(45))));
        assertThat(system.sandbox().report(minted.realmId()).invalidGrants()).isZero();
    }

    @Test
    void circuitBreakerStateIsAMetric() {
        JsonHttp.Response closed = JsonHttp.get(system.workers().getFirst().url(
                "/actuator/metrics/resilience4j.circuitbreaker.state?tag=name:quickbooks&tag=state:closed"));

        assertThat(closed.status()).isEqualTo(200);
        assertThat(closed.body().get("measurements").get(0).get("value").asDouble()).isEqualTo(1.0);
    }

    @Test
    void unknownConnectionIsNotFound() {
        assertThat(JsonHttp.get(system.scheduler().url("/api/connections/" + UUID.randomUUID())).status())
                .isEqualTo(404);
        assertThat(JsonHttp.get(system.scheduler().url("/api/connections/not-a-uuid")).status()).isEqualTo(400);
    }
}
