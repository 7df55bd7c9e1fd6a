package dev.tokenrefresher.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Issue 20 point 8: a worker stopped with SIGTERM in the middle of a busy catch-up finishes its refreshes under way,
 * stores every token the provider issued and settles every delivery on its still-open channel within
 * {@code refresher.worker.shutdown-grace}, leaving no lease behind; a second worker then finishes the catch-up.
 *
 * <p>{@value #CONNECTIONS} connections whose access tokens expired two hours ago are registered, so all are due at once
 * (a catch-up after an outage); the sandbox rotates on every refresh and holds each answer {@link #ANSWER_DELAY} after
 * the rotation, so that at any moment a few dozen issued refresh tokens are on their way to the worker and stored
 * nowhere yet. The worker gets SIGTERM at such a moment.
 *
 * <p>Before the shutdown was ordered, the consumers' channels closed while refreshes were under way, and their
 * acknowledgements met closed channels: Spring's channel proxy opened a new channel, on which the broker answered
 * {@code PRECONDITION_FAILED - unknown delivery tag}.
 */
class GracefulShutdownIT {

    private static final int CONNECTIONS = 300;
    private static final int REGISTERING = 8;
    private static final Duration LATENCY = Duration.ofMillis(300);
    /** After the rotation: the window in which an issued token exists at the provider only. */
    private static final Duration ANSWER_DELAY = Duration.ofMillis(1_200);
    private static final Duration GRACE = Duration.ofSeconds(10);
    /** What the JVM adds to the consumers' stop: the rest of the context's close, and the exit. */
    private static final Duration EXIT_MARGIN = Duration.ofSeconds(5);

    /**
     * The grace covers one call under way and its recording, 4 + 1 + 1 + 0.5 + 1 = 7.5 s, which the worker checks at
     * start-up; the lease covers the fast retries too, 3 x 4 + 2 x 2 + 3.5 = 19.5 s.
     */
    private static final Map<String, String> REFRESHER = Map.ofEntries(
            Map.entry("refresher.providers.quickbooks.concurrency", "24"),
            Map.entry("refresher.providers.quickbooks.request-timeout", "4s"),
            Map.entry("refresher.worker.shutdown-grace", GRACE.toSeconds() + "s"),
            Map.entry("refresher.worker.lease", "30s"),
            Map.entry("refresher.worker.store-retry-timeout", "1s"),
            Map.entry("refresher.handoff.confirm-timeout", "1s"),
            Map.entry("refresher.worker.statement-max-wait", "500ms"),
            Map.entry("resilience4j.bulkhead.configs.default.max-wait-duration", "0s"),
            Map.entry("resilience4j.ratelimiter.configs.default.timeout-duration", "0s"),
            Map.entry("resilience4j.ratelimiter.configs.default.limit-for-period", "1000"));

    @Test
    void sigtermDuringABusyCatchUpLosesNothingAndLeavesNoLeaseHeld() throws IOException {
        try (RunningSystem system = RunningSystem.start("graceful-shutdown", 1, List.of("--sandbox.rotate-every=1",
                "--sandbox.latency=" + LATENCY.toMillis() + "ms"), REFRESHER)) {
            Sandbox sandbox = system.sandbox();
            sandbox.settings(Map.of("answerDelayMillis", ANSWER_DELAY.toMillis()));
            AppProcess stopping = system.workers().getFirst();
            List<Sandbox.Minted> minted = sandbox.mint(CONNECTIONS);
            system.registerAll(minted, "shutdown-tenant-", Instant.now().minus(Duration.ofHours(2)), REGISTERING);

            // the catch-up is well under way, and refreshes are in flight at the provider
            await("the catch-up under way").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> sandbox.refreshes() >= 40 && sandbox.stats().get("inFlight").asLong() > 0);
            long grantedBefore = sandbox.refreshes();
            long inFlight = sandbox.stats().get("inFlight").asLong();

            Optional<Duration> exit = stopping.terminate(GRACE.plus(EXIT_MARGIN).plusSeconds(20));

            System.out.printf("SIGTERM after %d refreshes with %d in flight at the provider; the worker exited after "
                    + "%s; %d refreshes granted by then%n", grantedBefore, inFlight,
                    exit.map(Duration::toMillis)
                            .map(ms -> ms + " ms").orElse("(killed)"),
                    sandbox.refreshes());
            assertThat(exit).as("the worker exited after SIGTERM").isPresent();
            assertThat(exit.get()).as("time from SIGTERM to exit").isLessThan(GRACE.plus(EXIT_MARGIN));

            StoredConnections table = new StoredConnections(system.namespace());
            // every refresh the provider granted, those in flight at the SIGTERM included, is recorded as refreshed
            assertThat(table.refreshedAttemptsByRealm().values().stream().mapToLong(Long::longValue).sum()).as(
                    "refreshes recorded by the stopped worker").isEqualTo(sandbox.refreshes());
            List<StoredConnections.Row> rows = table.all();
            assertThat(rows).as("connections leased by the stopped worker").filteredOn(row -> stopping.name().equals(
                    row.leaseOwner())).isEmpty();
            Map<String, Sandbox.Report> reports = sandbox.reports();
            assertThat(rows).as("connections whose stored refresh token is not the provider's current one: a token "
                    + "the provider issued and nobody stored").filteredOn(
                            row -> !row.refreshTokenSha256().equals(
                                    reports.get(row.realmId()).currentRefreshTokenSha256()))
                    .isEmpty();
            String log = Files.readString(stopping.log());
            assertThat(log).as("the stopped worker's log").doesNotContain("unknown delivery tag").doesNotContain(
                    "PRECONDITION_FAILED").doesNotContain("TOKENS LOST").doesNotContain(
                            "Closing channel for unresponsive consumer");

            // a second worker takes over what the first one returned, and finishes the catch-up
            system.addWorker(Map.of());
            await("every connection refreshed once").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(
                    1)).until(() -> sandbox.reports().values().stream().allMatch(report -> report.refreshes() >= 1));
            await("every issued token stored").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> unstored(table, sandbox) == 0);
            JsonNode stats = sandbox.stats();
            System.out.println("sandbox after the catch-up: " + stats);
            assertThat(stats.get("invalidGrants").asLong()).as("invalid_grant answers").isZero();
            assertThat(stats.get("overlappingRefreshes").asLong()).as("overlapping refreshes").isZero();
            assertThat(table.all()).as("connections not ACTIVE (REAUTH_REQUIRED: a chain ended)").allMatch(row -> row
                    .status().equals("ACTIVE"));
            assertThat(system.deadLetterCounts().values().stream().mapToLong(Long::longValue).sum()).as(
                    "dead letters").isZero();

            List<String> secrets = new ArrayList<>(List.of(RunningSystem.CLIENT_SECRET));
            minted.forEach(m -> {
                secrets.add(m.accessToken());
                secrets.add(m.refreshToken());
            });
            assertThat(LeakScanner.leaksInLogs(List.of(stopping.log()), secrets)).as("log lines with a token")
                    .isEmpty();
        }
    }

    private static long unstored(StoredConnections table, Sandbox sandbox) {
        Map<String, Sandbox.Report> reports = sandbox.reports();
        return table.all().stream().filter(row -> !row.refreshTokenSha256().equals(reports.get(row.realmId())
                .currentRefreshTokenSha256())).count();
    }
}
