package dev.tokenrefresher.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Two minutes of everything going wrong at once: 500 connections with 8-second tokens, 10% of provider answers
 * failing, a worker killed with SIGKILL and restarted every 15 s, RabbitMQ restarted once and PostgreSQL restarted once.
 * Afterwards no chain may be broken: every connection ACTIVE with the provider's current refresh token, no refresh of
 * one connection overlapping another, and every refresh the provider made known to token-refresher.
 *
 * <p>It restarts the machine's PostgreSQL and RabbitMQ, so it runs only in the {@code chaos} profile
 * ({@code ./mvnw verify -Pchaos}). The restart commands default to the local Debian services and can be replaced with
 * {@code REFRESHER_CHAOS_RABBITMQ_RESTART} and {@code REFRESHER_CHAOS_POSTGRES_RESTART}.
 */
class ChaosIT {

    private static final int CONNECTIONS = 500;
    private static final Duration RUN = Duration.ofSeconds(130);
    private static final Duration KILL_EVERY = Duration.ofSeconds(15);
    private static final Duration RABBITMQ_RESTART_AT = Duration.ofSeconds(40);
    private static final Duration POSTGRES_RESTART_AT = Duration.ofSeconds(85);
    private static final String RABBITMQ_RESTART = System.getenv().getOrDefault("REFRESHER_CHAOS_RABBITMQ_RESTART",
            "rabbitmqctl -q stop_app && rabbitmqctl -q start_app && rabbitmqctl -q await_startup");
    private static final String POSTGRES_RESTART = System.getenv().getOrDefault("REFRESHER_CHAOS_POSTGRES_RESTART",
            "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql | head -1) main restart -m fast");

    @Test
    void noChainBreaksUnderKilledWorkersRestartedInfrastructureAndFailingProvider() throws Exception {
        assumeThat(commandExists("rabbitmqctl") && commandExists("pg_ctlcluster"))
                .as("the chaos run restarts the local PostgreSQL and RabbitMQ, which need rabbitmqctl and pg_ctlcluster")
                .isTrue();
        Map<String, String> settings = new LinkedHashMap<>(ShortTokenSettings.refresher());
        // 500 connections refreshed every 6 s (2 s before expiry) are about 85 refreshes/s: what two cores carry while
        // they also restart a worker JVM every 15 s, RabbitMQ and PostgreSQL.
        settings.put("refresher.providers.quickbooks.refresh-lead-time", "2s");
        settings.put("refresher.providers.quickbooks.concurrency", "16");
        // the sweep repairs lost chains; it must not mistake a backlog after a broker restart for lost chains
        // PostgreSQL is restarted: a store keeps trying through it (nobody can claim meanwhile either), and the lease
        // covers that, as the worker checks at start-up (ShortTokenSettings' 8.9 s with 30 s of store retries)
        settings.put("refresher.worker.store-retry-timeout", "30s");
        settings.put("refresher.worker.lease", "38s");
        settings.put("refresher.sweep.interval", "10s");
        settings.put("refresher.sweep.grace", "30s");
        try (RunningSystem system = RunningSystem.start("chaos", 2, ShortTokenSettings.SANDBOX, settings)) {
            List<ResilienceIT.Registered> connections = ResilienceIT.register(system, CONNECTIONS);
            system.sandbox().faults(Map.of("errorRate", 0.10));
            Instant start = Instant.now();
            List<String> events = new ArrayList<>();
            int kills = 0;
            boolean rabbitRestarted = false;
            boolean postgresRestarted = false;

            while (Duration.between(start, Instant.now()).compareTo(RUN) < 0) {
                Duration elapsed = Duration.between(start, Instant.now());
                if (!rabbitRestarted && elapsed.compareTo(RABBITMQ_RESTART_AT) >= 0) {
                    events.add(at(start) + " restart RabbitMQ: " + run(RABBITMQ_RESTART));
                    rabbitRestarted = true;
                } else if (!postgresRestarted && elapsed.compareTo(POSTGRES_RESTART_AT) >= 0) {
                    events.add(at(start) + " restart PostgreSQL: " + run(POSTGRES_RESTART));
                    postgresRestarted = true;
                } else if (elapsed.compareTo(KILL_EVERY.multipliedBy(kills + 1L)) >= 0) {
                    AppProcess victim = system.workers().getFirst(); // the longest-running one: they take turns
                    boolean killed = WorkerKiller.killOutsideTheUnprotectableWindow(system, victim);
                    system.restartWorker(victim);
                    kills++;
                    events.add(at(start) + (killed
                            ? " killed and restarted "
                            : " restarted, having exited by itself "
                                    + "(its start-up met a restart) ")
                            + victim.name());
                }
                Instant next = nextAction(start, kills, rabbitRestarted, postgresRestarted);
                await().atMost(RUN).pollInterval(Duration.ofMillis(200)).until(() -> !Instant.now().isBefore(next));
            }
            events.forEach(System.out::println);

            system.sandbox().faults(Map.of("errorRate", 0.0));
            // Let every chain settle on a healthy provider, then stop the workers so that the table is quiet.
            await("every connection fresh after the chaos").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofSeconds(2)).until(() -> allFresh(system, connections));
            system.workers().forEach(AppProcess::stop);

            JsonNode stats = system.sandbox().stats();
            Map<String, Sandbox.Report> reports = system.sandbox().reports();
            Map<String, StoredConnections.Row> stored = new HashMap<>();
            new StoredConnections(system.namespace()).all().forEach(row -> stored.put(row.realmId(), row));
            Map<String, Long> recorded = new StoredConnections(system.namespace()).refreshedAttemptsByRealm();
            long lost = 0;
            long countMismatches = 0;
            long fewest = Long.MAX_VALUE;
            long most = 0;
            for (ResilienceIT.Registered connection : connections) {
                Sandbox.Report report = reports.get(connection.realmId());
                StoredConnections.Row row = stored.get(connection.realmId());
                assertThat(row.status()).as("status of %s", row.id()).isEqualTo("ACTIVE");
                if (!row.refreshTokenSha256().equals(report.currentRefreshTokenSha256())) {
                    lost++;
                }
                long known = recorded.getOrDefault(connection.realmId(), 0L);
                if (Math.abs(report.refreshes() - known) > 1) {
                    countMismatches++;
                }
                fewest = Math.min(fewest, report.refreshes());
                most = Math.max(most, report.refreshes());
            }
            System.out.printf("chaos run: %d connections, %d s, %d worker kills, RabbitMQ and PostgreSQL restarted "
                    + "once; provider saw %d requests, %d refreshes (%d to %d per connection), %d overlapping, %d "
                    + "invalid_grant, %d after expiry, faults %s; lost refresh tokens: %d; refresh counts off by more "
                    + "than one: %d%n", CONNECTIONS, RUN.toSeconds(), kills, stats.get("requests").asLong(),
                    stats.get("refreshes").asLong(), fewest, most, stats.get("overlappingRefreshes").asLong(),
                    stats.get("invalidGrants").asLong(), stats.get("refreshesAfterAccessExpiry").asLong(),
                    stats.get("faultsInjected"), lost, countMismatches);

            assertThat(kills).isGreaterThanOrEqualTo(7);
            assertThat(stats.get("overlappingRefreshes").asLong()).as("overlapping refreshes").isZero();
            assertThat(lost).as("refresh tokens lost").isZero();
            assertThat(stats.get("invalidGrants").asLong()).as("invalid_grant answers").isZero();
            assertThat(countMismatches).as("connections whose provider-side refresh count is not the recorded one")
                    .isZero();
        }
    }

    /** When the schedule wants the next disruption, or the run's end. */
    private static Instant nextAction(Instant start, int kills, boolean rabbitRestarted, boolean postgresRestarted) {
        Duration next = Collections.min(List.of(RUN, KILL_EVERY.multipliedBy(kills + 1L),
                rabbitRestarted ? RUN : RABBITMQ_RESTART_AT, postgresRestarted ? RUN : POSTGRES_RESTART_AT));
        return start.plus(next);
    }

    private static boolean allFresh(RunningSystem system, List<ResilienceIT.Registered> connections) {
        Instant now = Instant.now();
        return new StoredConnections(system.namespace()).accessExpiries().values().stream()
                .filter(expiry -> expiry != null).count() == connections.size()
                && new StoredConnections(system.namespace()).accessExpiries().values().stream()
                        .allMatch(expiry -> expiry.isAfter(now));
    }

    private static String at(Instant start) {
        return "t+" + Duration.between(start, Instant.now()).toSeconds() + "s";
    }

    private static String run(String command) throws IOException, InterruptedException {
        Instant started = Instant.now();
        Process process = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("'" + command + "' did not finish within 120 s");
        }
        String output = new String(process.getInputStream().readAllBytes()).trim();
        if (process.exitValue() != 0) {
            throw new IllegalStateException("'" + command + "' failed with " + process.exitValue() + ": " + output);
        }
        return "took " + Duration.between(started, Instant.now()).toMillis() + " ms";
    }

    private static boolean commandExists(String command) {
        try {
            return new ProcessBuilder("sh", "-c", "command -v " + command).start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
