package dev.tokenrefresher.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Issue 19 on the running system: one tenant's slow provider calls never make another tenant's refresh late. The
 * sandbox answers two connections {@value #SLOW_SECONDS} s late (rotated, then held: a slow token endpoint for those
 * tenants); sixteen others are due at the same moment, at a worker whose provider runs 4 refreshes at a time.
 *
 * <p>When a batch of deliveries was refreshed, published and acknowledged as one, the consumer took no new delivery
 * until its batch's slowest call was done: the sixteen waited behind the two, every one of them some
 * {@value #SLOW_SECONDS} s late.
 */
class SlowTenantIsolationIT {

    private static final long SLOW_SECONDS = 4;
    /** Far below the slow calls' delay, and above what a loaded 2-core machine adds to a prompt refresh. */
    private static final Duration PROMPT = Duration.ofMillis(1_500);
    private static final int OTHERS = 16;

    private static RunningSystem system;

    @BeforeAll
    static void startSystem() {
        system = RunningSystem.start("slow-tenant", 1, List.of("--sandbox.rotate-every=1"), Map.of(
                "refresher.providers.quickbooks.concurrency", "4",
                // the slow answers arrive within the timeout: slow, not failed
                "refresher.providers.quickbooks.request-timeout", (SLOW_SECONDS + 2) + "s"));
    }

    @AfterAll
    static void stopSystem() {
        if (system != null) {
            system.close();
        }
    }

    @Test
    void twoTenantsWhoseCallsTakeSecondsDoNotMakeTheOthersRefreshLate() {
        List<Sandbox.Minted> slow = system.sandbox().mint(2);
        List<Sandbox.Minted> others = system.sandbox().mint(OTHERS);
        slow.forEach(minted -> system.sandbox().answerDelay(minted.realmId(), Duration.ofSeconds(SLOW_SECONDS)));
        Instant twoHoursAgo = Instant.now().minus(Duration.ofHours(2));
        List<Sandbox.Minted> all = new ArrayList<>(slow);
        all.addAll(others);

        // due at once: the slow ones first, so that they are among the first deliveries
        all.forEach(minted -> system.registerOrFail("slow-tenant-" + UUID.randomUUID(), minted, twoHoursAgo));

        await().atMost(Duration.ofSeconds(SLOW_SECONDS * 4)).until(() -> all.stream().allMatch(minted -> system
                .sandbox().report(minted.realmId()).refreshes() == 1));
        AppProcess worker = system.workers().getFirst();
        JsonNode lateness = JsonHttp.get(worker.url("/actuator/metrics/refresher.refresh.lateness?tag=provider:"
                + RunningSystem.PROVIDER)).body();
        assertThat(statistic(lateness, "COUNT")).isEqualTo(all.size());
        // every refresh started within PROMPT of its due time: the others never waited for the slow calls
        assertThat(statistic(lateness, "MAX")).as("the latest start after the due time, in seconds").isLessThan(
                PROMPT.toMillis() / 1000.0);
        assertThat(all.stream().mapToLong(minted -> system.sandbox().report(minted.realmId()).invalidGrants()).sum())
                .isZero();
    }

    private static double statistic(JsonNode meter, String statistic) {
        for (JsonNode measurement : meter.get("measurements")) {
            if (measurement.get("statistic").asString().equals(statistic)) {
                return measurement.get("value").asDouble();
            }
        }
        throw new IllegalStateException("no " + statistic + " in " + meter);
    }
}
