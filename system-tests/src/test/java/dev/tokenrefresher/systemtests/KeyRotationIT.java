package dev.tokenrefresher.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tokenrefresher.common.test.TestKeys;
import dev.tokenrefresher.common.test.TestServices;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Issue 20, point 1, on the running system: a key rotation as docs/operations.md describes it. The connections were
 * written by a build before issue 20 (ciphertext format 1 under the key {@code test}); a new key {@code k2} becomes
 * primary, the re-encryption job rewrites every row while the workers refresh them, the old key is removed, everything
 * restarts, and every flow still works: refreshes, the access-token API with its realm id (written only at
 * registration, so only the job moves it), a new registration, a disconnect with revocation. Then one row is tampered
 * with: it alone is parked as {@code undecryptable}, once, with its dead letter, and the others go on.
 *
 * <p>Before issue 20 the realm ids stayed under the removed key: every access-token answer was a 500, and the tampered
 * row's claim failed its whole grouped statement, again and again.
 */
class KeyRotationIT {

    private static final int CONNECTIONS = 30;
    private static final String NEW_KEY = TestKeys.randomKey();

    @Test
    void aRotatedKeyIsRemovedOnceTheJobRewroteEveryRowAndEveryFlowGoesOnWithoutIt() {
        try (RunningSystem system = RunningSystem.start("keys", 1, ShortTokenSettings.SANDBOX, settings())) {
            Map<UUID, Sandbox.Minted> connections = register(system, CONNECTIONS);
            await("a refresh of every connection").atMost(Duration.ofSeconds(30)).until(() -> system.sandbox()
                    .refreshes() >= CONNECTIONS);
            assertThat(usage(keys(system))).as("as an earlier build wrote them").containsOnlyKeys("test/1");

            // 1. a new primary key; the old one stays to read what is under it
            system.restartApps(Map.of("refresher.crypto.keys.k2", NEW_KEY, "refresher.crypto.primary-key-id", "k2"),
                    List.of("refresher.crypto.write-format"));
            await("the re-encryption job's pass to k2").atMost(Duration.ofSeconds(60)).pollInterval(Duration
                    .ofSeconds(1)).until(() -> {
                        JsonNode status = keys(system);
                        return status.get("rowsOutsidePrimary").asLong() == 0 && "2/k2".equals(status.path("job")
                                .path("target").asString()) && !status.path("job").path("passCompletedAt").isNull();
                    });
            JsonNode rotated = keys(system);
            assertThat(usage(rotated)).containsOnlyKeys("k2/2");
            // the realm ids at least, which no refresh writes (a later pass may have started, with counts of its own)
            assertThat(RunningSystem.meter(system.scheduler(), "refresher.keys.rewritten")).as(
                    "rows the job rewrote itself").isPositive();

            // 2. the old key removed, everything restarted
            String revocationUri = system.sandbox().tokenUri().replace("/oauth2/v1/tokens/bearer",
                    "/v2/oauth2/tokens/revoke");
            system.restartApps(Map.of("refresher.providers." + RunningSystem.PROVIDER + ".revocation-uri",
                    revocationUri), List.of("refresher.crypto.keys.test"));
            Instant withoutOldKey = Instant.now();
            StoredConnections stored = new StoredConnections(system.namespace());
            await("a refresh of every connection without the old key").atMost(Duration.ofSeconds(30)).until(
                    () -> refreshedSince(stored, withoutOldKey).containsAll(connections.keySet()));
            for (var connection : connections.entrySet()) {
                JsonHttp.Response token = JsonHttp.get(system.scheduler().url("/api/connections/" + connection
                        .getKey() + "/access-token"), JsonHttp.TOKEN_READER_KEY);
                assertThat(token.status()).as(token.body().toString()).isEqualTo(200);
                assertThat(token.body().get("realmId").asString()).isEqualTo(connection.getValue().realmId());
            }
            Map<UUID, Sandbox.Minted> registeredLater = register(system, 1);
            UUID later = registeredLater.keySet().iterator().next();
            await("a refresh of a connection registered after the removal").atMost(Duration.ofSeconds(30)).until(
                    () -> refreshedSince(stored, withoutOldKey).contains(later));
            UUID disconnected = connections.keySet().iterator().next();
            JsonHttp.Response disconnect = JsonHttp.delete(system.scheduler().url("/api/connections/" + disconnected
                    + "?revoke=true"));
            assertThat(disconnect.status()).as(disconnect.body().toString()).isEqualTo(200);
            assertThat(disconnect.body().path("revocation").asString()).isEqualTo("revoked");
            assertThat(system.sandbox().report(connections.get(disconnected).realmId()).revoked()).isTrue();
            assertThat(system.deadLetters("")).as("no refresh failed for good").isEmpty();

            // 3. one row tampered with: it alone is parked, once
            List<UUID> others = new ArrayList<>(connections.keySet());
            others.remove(disconnected);
            UUID victim = others.removeFirst();
            stored.execute("UPDATE connection SET refresh_token_enc = set_byte(refresh_token_enc, "
                    + "length(refresh_token_enc) - 1, get_byte(refresh_token_enc, length(refresh_token_enc) - 1) # 1) "
                    + "WHERE id = '" + victim + "'");
            Instant tampered = Instant.now();
            await("the tampered connection's dead letter").atMost(Duration.ofSeconds(30)).until(() -> !system
                    .deadLetters("reason=undecryptable").isEmpty());
            await("a refresh of every other connection after it").atMost(Duration.ofSeconds(30)).until(
                    () -> refreshedSince(stored, tampered).containsAll(others));
            JsonNode letters = system.deadLetters("reason=undecryptable");
            assertThat(letters).hasSize(1);
            assertThat(letters.get(0).get("connectionId").asString()).isEqualTo(victim.toString());
            assertThat(letters.get(0).get("detail").asString()).contains("connection/" + victim + "/refresh_token",
                    "authentication failed");
            assertThat(system.deadLetters("")).as("nothing else failed").hasSize(1);
            JsonNode victimRow = system.connection(victim);
            assertThat(victimRow.get("status").asString()).isEqualTo("ACTIVE");
            JsonHttp.Response victimToken = JsonHttp.get(system.scheduler().url("/api/connections/" + victim
                    + "/access-token"), JsonHttp.TOKEN_READER_KEY);
            assertThat(victimToken.status()).isEqualTo(500);
            assertThat(victimToken.body().get("errorCode").asString()).isEqualTo("undecryptable");
            assertThat(refreshedSince(stored, tampered)).doesNotContain(victim);

            Map<String, Sandbox.Report> reports = system.sandbox().reports();
            assertThat(reports.values()).allSatisfy(report -> {
                assertThat(report.invalidGrants()).as(report.realmId()).isZero();
                assertThat(report.overlappingRefreshes()).as(report.realmId()).isZero();
            });
            List<String> secrets = new ArrayList<>(List.of(RunningSystem.CLIENT_SECRET, NEW_KEY, TestServices.get()
                    .cryptoProperties().keys().get("test")));
            connections.values().forEach(minted -> {
                secrets.add(minted.accessToken());
                secrets.add(minted.refreshToken());
            });
            assertThat(LeakScanner.leaksInLogs(system.apps().stream().map(AppProcess::log).toList(), secrets))
                    .as("log lines with a token or key").isEmpty();
        }
    }

    private static Map<String, String> settings() {
        Map<String, String> settings = new LinkedHashMap<>(ShortTokenSettings.refresher());
        // what a build before issue 20 wrote
        settings.put("refresher.crypto.write-format", "1");
        // small batches, so that a pass takes many; no settle time, since 8-s tokens change every row every 3 s
        settings.put("refresher.keys.batch-size", "7");
        settings.put("refresher.keys.batch-pause", "10ms");
        settings.put("refresher.keys.settle", "0s");
        settings.put("refresher.keys.interval", "2s");
        return settings;
    }

    private static Map<UUID, Sandbox.Minted> register(RunningSystem system, int count) {
        Instant obtainedAt = Instant.now();
        Map<UUID, Sandbox.Minted> registered = new LinkedHashMap<>();
        for (Sandbox.Minted minted : system.sandbox().mint(count)) {
            registered.put(system.registerOrFail("tenant-keys-" + UUID.randomUUID(), minted, obtainedAt), minted);
        }
        return registered;
    }

    private static JsonNode keys(RunningSystem system) {
        JsonHttp.Response response = JsonHttp.get(system.scheduler().url("/api/keys"));
        assertThat(response.status()).as(String.valueOf(response.body())).isEqualTo(200);
        return response.body();
    }

    /** Rows by {@code keyId/format}. */
    private static Map<String, Long> usage(JsonNode status) {
        Map<String, Long> rows = new LinkedHashMap<>();
        status.get("usage").forEach(use -> rows.put(use.path("keyId").asString() + "/" + use.get("format").asInt(),
                use.get("rows").asLong()));
        return rows;
    }

    private static Set<UUID> refreshedSince(StoredConnections stored, Instant from) {
        return stored.refreshedAttemptsSince(from).stream().map(StoredConnections.RefreshedAttempt::connectionId)
                .collect(Collectors.toCollection(HashSet::new));
    }

}
