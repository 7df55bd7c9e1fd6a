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
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** What real providers do to a refresher: fail often, and fail completely for longer than a token lives. */
class ResilienceIT {

    private static final int CONNECTIONS = 100;

    @Test
    void thirtyPercentTransientFailuresLoseNoConnectionAndNoCycle() {
        Duration run = Duration.ofSeconds(60);
        try (RunningSystem system = RunningSystem.start("transient", 2, ShortTokenSettings.SANDBOX,
                ShortTokenSettings.refresher())) {
            List<Registered> connections = register(system, CONNECTIONS);
            system.sandbox().faults(Map.of("errorRate", 0.25, "rateLimitRate", 0.05, "retryAfterSeconds", 1));
            Instant faultsOn = Instant.now();

            await().during(run).atMost(run.plusSeconds(20)).pollInterval(Duration.ofSeconds(2))
                    .until(() -> system.deadLetters("").isEmpty());
            system.sandbox().faults(Map.of("errorRate", 0.0, "rateLimitRate", 0.0));
            system.workers().forEach(AppProcess::stop);

            JsonNode stats = system.sandbox().stats();
            System.out.println("sandbox after 60 s of 30% failures: " + stats);
            long cycles = run.toSeconds() / 8;
            Map<String, Sandbox.Report> reports = system.sandbox().reports();
            long fewest = Long.MAX_VALUE;
            for (Registered connection : connections) {
                JsonNode view = system.connection(connection.id());
                assertThat(view.get("status").asString()).as("status of %s", connection.id()).isEqualTo("ACTIVE");
                long refreshes = reports.get(connection.realmId()).refreshes();
                assertThat(refreshes).as("refreshes of %s in %d cycles", connection.id(), cycles)
                        .isGreaterThanOrEqualTo(cycles);
                fewest = Math.min(fewest, refreshes);
            }
            assertThat(stats.get("overlappingRefreshes").asLong()).isZero();
            assertThat(stats.get("invalidGrants").asLong()).isZero();
            assertThat(system.deadLetters("")).isEmpty();
            System.out.printf("fewest refreshes of a connection: %d (at least one per cycle: %d); refreshes after "
                    + "expiry: %d; faults since %s%n", fewest, cycles, stats.get("refreshesAfterAccessExpiry").asLong(),
                    faultsOn);
        }
    }

    @Test
    void outageLongerThanATokensLifePausesConsumptionAndRecovers() throws IOException {
        Duration outage = Duration.ofSeconds(25);
        try (RunningSystem system = RunningSystem.start("outage", 2, ShortTokenSettings.SANDBOX,
                ShortTokenSettings.refresher())) {
            List<Registered> connections = register(system, CONNECTIONS);
            await().atMost(Duration.ofSeconds(20)).until(() -> system.sandbox().stats().get("refreshes")
                    .asLong() >= CONNECTIONS);

            system.sandbox().outage((int) outage.toSeconds());
            Instant outageEnds = Instant.now().plus(outage);
            await("every breaker open").atMost(Duration.ofSeconds(15)).until(() -> system.workers().stream()
                    .allMatch(worker -> RunningSystem.breakerState(worker).equals("OPEN")));
            long requestsWhenOpen = system.sandbox().stats().get("requests").asLong();
            Duration openFor = Duration.between(Instant.now(), outageEnds);
            await("the outage's end").atMost(outage.plusSeconds(5)).until(() -> system.sandbox().outageOver());
            long requestsDuringOutage = system.sandbox().stats().get("requests").asLong() - requestsWhenOpen;

            // While OPEN, a worker's consumers are stopped; every wait (5 s) ends in HALF_OPEN with 3 probe calls.
            // Calls in flight when a breaker opened (8 consumers per worker) may still land once.
            long probeCycles = openFor.toSeconds() / 5 + 1;
            long bound = system.workers().size() * (probeCycles * 3 + 8);
            System.out.printf("breakers open for %d s of the outage: %d requests reached the provider (bound %d)%n",
                    openFor.toSeconds(), requestsDuringOutage, bound);
            assertThat(requestsDuringOutage).isLessThanOrEqualTo(bound);

            await("every connection fresh again").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> connections.stream().allMatch(c -> freshSince(system.connection(c.id()), outageEnds)));
            Duration recovery = Duration.between(outageEnds, Instant.now());
            System.out.printf("all %d connections refreshed %d s after the outage ended%n", CONNECTIONS,
                    recovery.toSeconds());
            assertThat(connections).allSatisfy(c -> assertThat(system.connection(c.id()).get("status").asString())
                    .isEqualTo("ACTIVE"));
            assertThat(system.sandbox().stats().get("invalidGrants").asLong()).isZero();
            assertThat(system.deadLetters("")).isEmpty();
            // Issue 20: a breaker that opens pauses its consumers in the order of a worker's stop, so every refresh
            // under way is acknowledged on its open channel. Stopping the container first (before) acknowledged them on
            // closed channels: 4 PRECONDITION_FAILED per worker in this run.
            for (AppProcess worker : system.workers()) {
                assertThat(Files.readString(worker.log())).as("the log of %s", worker.log().getFileName())
                        .doesNotContain("unknown delivery tag").doesNotContain("could not be settled");
            }
        }
    }

    private static boolean freshSince(JsonNode connection, Instant since) {
        return connection.get("status").asString().equals("ACTIVE") && connection.get("lastRefreshedAt").isString()
                && Instant.parse(connection.get("lastRefreshedAt").asString()).isAfter(since)
                && Instant.parse(connection.get("accessExpiresAt").asString()).isAfter(Instant.now());
    }

    record Registered(UUID id, String realmId) {
    }

    static List<Registered> register(RunningSystem system, int count) {
        Instant obtainedAt = Instant.now();
        List<Registered> registered = new ArrayList<>();
        for (Sandbox.Minted minted : system.sandbox().mint(count)) {
            registered.add(new Registered(system.registerOrFail("tenant-" + registered.size(), minted, obtainedAt),
                    minted.realmId()));
        }
        return registered;
    }
}
