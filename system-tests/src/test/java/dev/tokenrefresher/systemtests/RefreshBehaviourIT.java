package dev.tokenrefresher.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;

/**
 * Single connections on the running system, with the provider's real one-hour tokens: nothing refreshes unless it is
 * due, so every provider call a test sees is one it caused.
 */
class RefreshBehaviourIT {

    private static final Duration SOON = Duration.ofSeconds(15);

    private static RunningSystem system;
    private static CachingConnectionFactory rabbit;
    private static RefreshPublisher publisher;

    @BeforeAll
    static void startSystem() {
        system = RunningSystem.start("behaviour", 1, List.of("--sandbox.rotate-every=1"), Map.of());
        rabbit = RabbitFixtures.connectionFactory();
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
            assertThat(connection.get("status").asText()).isEqualTo("ACTIVE");
            assertThat(Instant.parse(connection.get("accessExpiresAt").asText())).isAfter(Instant.now());
            assertThat(Instant.parse(connection.get("nextRefreshAt").asText()))
                    .isAfter(Instant.now().plus(Duration.ofMinutes(45)));
        });
    }

    @Test
    void revokedConnectionEndsReauthRequiredAndNothingElseIsAffected() {
        List<Sandbox.Minted> minted = system.sandbox().mint(3);
        system.sandbox().revoke(minted.getFirst().realmId());
        Instant dueAtOnce = Instant.now().minus(Duration.ofHours(2));
        List<UUID> ids = minted.stream().map(m -> system.registerOrFail("revoke-" + UUID.randomUUID(), m, dueAtOnce))
                .toList();

        await().atMost(SOON).until(() -> system.connection(ids.getFirst()).get("status").asText()
                .equals("REAUTH_REQUIRED"));
        await().atMost(SOON).until(() -> ids.subList(1, 3).stream().allMatch(id -> system.connection(id)
                .get("lastRefreshedAt").isTextual()));

        JsonNode revoked = system.connection(ids.getFirst());
        assertThat(revoked.get("lastError").asText()).isEqualTo("invalid_grant");
        assertThat(revoked.get("nextRefreshAt").isNull()).isTrue();
        assertThat(system.sandbox().report(minted.getFirst().realmId()).invalidGrants()).isEqualTo(1);
        for (int i = 1; i < 3; i++) {
            assertThat(system.connection(ids.get(i)).get("status").asText()).isEqualTo("ACTIVE");
            assertThat(system.sandbox().report(minted.get(i).realmId()).refreshes()).isEqualTo(1);
        }
    }

    @Test
    void staleAndDuplicateMessagesCauseNoProviderCall() {
        Sandbox.Minted minted = system.sandbox().mint(1).getFirst();
        UUID id = system.registerOrFail("stale-" + UUID.randomUUID(), minted, Instant.now());
        long fence = 1; // a new connection's first fence
        AppProcess worker = system.workers().getFirst();
        double droppedBefore = RunningSystem.counter(worker, "refresher.messages.dropped", "reason:stale_fence");
        Instant now = Instant.now();

        // An old fence, then the current fence twice: only the first current one may reach the provider.
        publisher.publish(RunningSystem.PROVIDER, new RefreshMessage(id, fence - 1, now, 0), now);
        publisher.publish(RunningSystem.PROVIDER, new RefreshMessage(id, fence, now, 0), now);
        publisher.publish(RunningSystem.PROVIDER, new RefreshMessage(id, fence, now, 0), now);

        await().atMost(SOON).until(() -> RunningSystem.counter(worker, "refresher.messages.dropped",
                "reason:stale_fence") >= droppedBefore + 2);
        assertThat(system.sandbox().report(minted.realmId()).refreshes()).isEqualTo(1);
        assertThat(system.sandbox().report(minted.realmId()).invalidGrants()).isZero();
    }

    @Test
    void registrationWithBadFieldsIsRefusedNamingEachField() {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("provider", "xero");
        request.put("accessToken", "a");
        request.put("expiresIn", -5);

        JsonHttp.Response missing = JsonHttp.post(system.scheduler().url("/api/connections"), request);

        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.body().get("errors").findValuesAsText("field")).contains("tenantId", "refreshToken",
                "expiresIn");

        request.put("tenantId", "t");
        request.put("refreshToken", "r");
        request.put("expiresIn", 3600);
        JsonHttp.Response unknownProvider = JsonHttp.post(system.scheduler().url("/api/connections"), request);

        assertThat(unknownProvider.status()).isEqualTo(400);
        assertThat(unknownProvider.body().get("errors").findValuesAsText("field")).containsExactly("provider");

        request.put("provider", RunningSystem.PROVIDER);
        request.put("expiresIn", "an hour");
        JsonHttp.Response wrongType = JsonHttp.post(system.scheduler().url("/api/connections"), request);

        assertThat(wrongType.status()).isEqualTo(400);
        assertThat(wrongType.body().get("errors").findValuesAsText("field")).containsExactly("expiresIn");
    }

    @Test
    void unknownConnectionIsNotFound() {
        assertThat(JsonHttp.get(system.scheduler().url("/api/connections/" + UUID.randomUUID())).status())
                .isEqualTo(404);
        assertThat(JsonHttp.get(system.scheduler().url("/api/connections/not-a-uuid")).status()).isEqualTo(400);
    }
}
