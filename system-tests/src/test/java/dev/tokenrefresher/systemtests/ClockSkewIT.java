package dev.tokenrefresher.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Single flight against time (DESIGN decision 11): the scheduler and two workers whose clocks disagree by four minutes
 * still never refresh one connection twice at once, because leases are set and compared with PostgreSQL's clock.
 *
 * <p>The scheduler's clock and the first worker's run two minutes ahead, the second worker's two minutes behind. When
 * leases came from the apps' clocks, a lease the slow worker took looked expired to the others the moment it was set:
 * the sweep re-enqueued connections the slow worker was refreshing, the fast worker claimed them at once and called
 * the provider with a refresh token already spent ({@code invalid_grant}, and overlapping calls), and a lease the fast
 * worker took sent the slow worker's re-delays four minutes out.
 *
 * <p>App clocks still schedule, so the apps are told what a skew of this size means for scheduling: messages arrive up
 * to four minutes "early" by a slow clock ({@code early-tolerance}). The sweep's grace is left shorter than the skew on
 * purpose: the fast scheduler then takes every chain the slow worker scheduled for lost and makes it due again, every
 * sweep, which refreshes more often than needed but must never refresh twice at once.
 */
class ClockSkewIT {

    private static final Duration SKEW = Duration.ofMinutes(2);
    private static final int CONNECTIONS = 100;
    private static final Duration RUN = Duration.ofSeconds(40);
    private static final int MIN_REFRESHES = 4;

    @Test
    void schedulerAndWorkersWithClocksFourMinutesApartNeverRefreshOneConnectionTwiceAtOnce() {
        Map<String, String> settings = new HashMap<>(ShortTokenSettings.refresher());
        // by a clock two minutes slow, a message due by a clock two minutes fast arrives four minutes early
        settings.put("refresher.worker.early-tolerance", "5m");
        // The provider answers slowly, so that a refresh holds its lease long enough to be seen by the others.
        List<String> sandbox = List.of("--sandbox.access-token-lifetime=8s", "--sandbox.rotate-every=1",
                "--sandbox.latency=300ms");
        Map<String, Map<String, String>> skews = Map.of(
                "scheduler", Map.of("refresher.clock.skew", SKEW.toString()),
                "worker-1", Map.of("refresher.clock.skew", SKEW.toString()),
                "worker-2", Map.of("refresher.clock.skew", SKEW.negated().toString()));
        try (RunningSystem system = RunningSystem.start("clock-skew", 2, sandbox, settings, skews)) {
            List<Sandbox.Minted> minted = system.sandbox().mint(CONNECTIONS);
            List<UUID> ids = new ArrayList<>();
            Instant obtainedAt = Instant.now();
            for (int i = 0; i < minted.size(); i++) {
                ids.add(system.registerOrFail("tenant-" + i, minted.get(i), obtainedAt));
            }
            AtomicInteger onDemand = new AtomicInteger();
            Instant started = Instant.now();
            // Throughout the run: no overlap, no spent token used again, no refresh after expiry. The host app asks
            // the (fast) scheduler for tokens meanwhile: its on-demand refreshes take the same lease.
            await().during(RUN).atMost(RUN.plusSeconds(30)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                UUID id = ids.get(onDemand.getAndIncrement() % ids.size());
                JsonHttp.get(system.scheduler().url("/api/connections/" + id + "/access-token?minValiditySeconds=7"),
                        JsonHttp.TOKEN_READER_KEY);
                assertNoDoubleRefreshAndNoneLate(system.sandbox().stats());
            });
            System.out.printf("clock skew run: %d s, %d on-demand calls, leased drops per worker: %s%n",
                    Duration.between(started, Instant.now()).toSeconds(), onDemand.get(), system.workers().stream()
                            .map(worker -> RunningSystem.counter(worker, "refresher.messages.dropped",
                                    "reason:leased"))
                            .toList());
            system.workers().forEach(AppProcess::stop);

            JsonNode stats = system.sandbox().stats();
            System.out.println("sandbox after the run: " + stats);
            assertNoDoubleRefreshAndNoneLate(stats);
            Map<String, Sandbox.Report> reports = system.sandbox().reports();
            Map<String, StoredConnections.Row> stored = new HashMap<>();
            new StoredConnections(system.namespace()).all().forEach(row -> stored.put(row.realmId(), row));
            for (Sandbox.Minted m : minted) {
                Sandbox.Report report = reports.get(m.realmId());
                StoredConnections.Row row = stored.get(m.realmId());
                assertThat(row.status()).as("status of %s", row.id()).isEqualTo("ACTIVE");
                assertThat(report.refreshes()).as("refreshes of %s", row.id()).isGreaterThanOrEqualTo(
                        MIN_REFRESHES);
                assertThat(row.refreshTokenSha256()).as("stored refresh token of %s is the provider's current one",
                        row.id()).isEqualTo(report.currentRefreshTokenSha256());
            }
        }
    }

    /** The sandbox's counters over all connections: calls at once, spent tokens used again, refreshes too late. */
    private static void assertNoDoubleRefreshAndNoneLate(JsonNode stats) {
        assertThat(stats.get("overlappingRefreshes").asLong()).as("overlapping refreshes; sandbox %s", stats).isZero();
        assertThat(stats.get("invalidGrants").asLong()).as("invalid_grant answers; sandbox %s", stats).isZero();
        assertThat(stats.get("refreshesAfterAccessExpiry").asLong()).as("refreshes after expiry; sandbox %s", stats)
                .isZero();
    }
}
