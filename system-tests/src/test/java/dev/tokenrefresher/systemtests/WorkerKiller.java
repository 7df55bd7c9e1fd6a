package dev.tokenrefresher.systemtests;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

/** Kills workers the way crashes do, except inside the one window no client can protect. */
final class WorkerKiller {

    private WorkerKiller() {
    }

    /**
     * Kills the worker with SIGKILL, at a moment when it is not between the provider's answer and its database write.
     *
     * <p>No client can protect that window: once a rotating provider has issued a new refresh token, a process that
     * dies before storing it has lost it, and the old one is dead. The window lasts about a millisecond per refresh.
     * So the worker is frozen (SIGSTOP) until every request it had sent has been answered, and each connection it holds
     * a lease on is checked to still have the provider's current refresh token stored; if one does not, the worker is
     * thawed and the next moment tried. Everything else, its leases, its unacknowledged messages and its requests not
     * yet sent, is cut as in any crash.
     *
     * @return whether it killed the worker; false when the worker had already exited by itself
     */
    static boolean killOutsideTheUnprotectableWindow(RunningSystem system, AppProcess victim) {
        StoredConnections table = new StoredConnections(system.namespace());
        Sandbox sandbox = system.sandbox();
        AtomicBoolean exitedOnItsOwn = new AtomicBoolean();
        await("a moment to kill " + victim.name()).atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(
                300)).until(() -> {
                    if (!victim.isAlive()) {
                        // A worker restarted while PostgreSQL restarts fails its start-up (Flyway cannot reach the
                        // database) and exits, as a container would; there is nothing to kill.
                        exitedOnItsOwn.set(true);
                        return true;
                    }
                    victim.freeze();
                    // Requests the frozen worker had sent are answered once nothing is in flight at the provider.
                    await().pollDelay(Duration.ofMillis(50)).pollInterval(Duration.ofMillis(10))
                            .atMost(Duration.ofSeconds(2)).until(() -> sandbox.stats().get("inFlight").asLong() == 0);
                    Instant now = Instant.now();
                    Map<String, String> current = sandbox.reports().entrySet().stream()
                            .collect(
                                    Collectors.toMap(Map.Entry::getKey, e -> e.getValue().currentRefreshTokenSha256()));
                    boolean safe = table.all().stream()
                            .filter(row -> victim.name().equals(row.leaseOwner()) && row.leaseUntil() != null
                                    && row.leaseUntil().isAfter(now))
                            .allMatch(row -> row.refreshTokenSha256().equals(current.get(row.realmId())));
                    if (safe) {
                        victim.kill();
                        System.out.println("killed " + victim.name() + " with SIGKILL");
                        return true;
                    }
                    victim.thaw();
                    System.out.println(victim.name() + " was between an answer and its write; trying again");
                    return false;
                });
        return !exitedOnItsOwn.get();
    }
}
