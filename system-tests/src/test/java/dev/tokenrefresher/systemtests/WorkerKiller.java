package dev.tokenrefresher.systemtests;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * Kills workers the way crashes do: outside the one window no client can protect, inside it where the provider allows
 * a retry, and while PostgreSQL is down.
 */
final class WorkerKiller {

    /** How long the killer waits, at most, for what a frozen worker has sent to be answered. */
    private static final Duration ANSWERED_WITHIN = Duration.ofSeconds(1);

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
                    return frozen(victim, () -> {
                        // Requests the frozen worker had sent are answered once nothing is in flight at the provider.
                        if (!within(ANSWERED_WITHIN, () -> sandbox.stats().get("inFlight").asLong() == 0)) {
                            return false;
                        }
                        Instant now = Instant.now();
                        Map<String, String> current = currentTokens(sandbox);
                        boolean safe = table.leasedBy(victim.name(), now).stream()
                                .allMatch(row -> row.refreshTokenSha256().equals(current.get(row.realmId())));
                        if (!safe) {
                            System.out.println(victim.name() + " was between an answer and its write; trying again");
                        }
                        return safe;
                    });
                });
        return !exitedOnItsOwn.get();
    }

    /**
     * What {@link #killInTheAnswerWindow} did.
     *
     * @param killed whether it killed the worker; false when the worker had exited by itself
     * @param unstored the realm ids of the connections whose rotated refresh token the worker was waiting for, or had
     *            read and not stored, when it was killed: the provider issued it and nobody will ever store it
     */
    record AnswerWindowKill(boolean killed, Set<String> unstored) {
    }

    /**
     * Kills the worker with SIGKILL between the provider's answer and the store, the window
     * {@link #killOutsideTheUnprotectableWindow} avoids, for connections whose provider keeps a replaced refresh token
     * usable for a while (a reuse grace): their chains must survive it, the stored (replaced) token is tried again.
     *
     * <p>The sandbox holds the answers of the {@code graceConnections} {@code answerDelay} after the rotation (its
     * per-connection answer delay, so no other connection's answers wait), and once one of them was refreshed after
     * that, answers are being held. Then the worker is frozen; once nothing sent to any other connection is in flight
     * at the provider, every connection it holds a lease on is compared with the provider's current refresh token. The
     * kill comes when at least one held connection's rotation is not stored and every other connection's is: a
     * strictly rotating connection's answer lost to the kill is a loss no client can mend, which this run does not
     * cause on purpose. Otherwise the worker is thawed and the next moment tried. The held answers are released
     * ({@code null}: the run-time default, none) whatever happens.
     */
    static AnswerWindowKill killInTheAnswerWindow(RunningSystem system, AppProcess victim,
            Collection<String> graceConnections, Duration answerDelay) {
        StoredConnections table = new StoredConnections(system.namespace());
        Sandbox sandbox = system.sandbox();
        Set<String> held = Set.copyOf(graceConnections);
        held.forEach(realm -> sandbox.answerDelay(realm, answerDelay));
        try {
            long before = refreshesOf(sandbox, held);
            await("a refresh of a held connection after its answers began to be held").atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(100)).until(() -> refreshesOf(sandbox, held) > before);
            AtomicBoolean exitedOnItsOwn = new AtomicBoolean();
            AtomicReference<Instant> killedAt = new AtomicReference<>();
            await("a moment when " + victim.name() + " waits for a held answer and for no other").atMost(Duration
                    .ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
                        if (!victim.isAlive()) {
                            exitedOnItsOwn.set(true);
                            return true;
                        }
                        Instant[] at = new Instant[1];
                        boolean killed = frozen(victim, () -> {
                            // what it sent to the other connections is answered within the provider's latency
                            if (!within(ANSWERED_WITHIN, () -> sandbox.reports().values().stream().noneMatch(
                                    report -> report.inFlight() > 0 && !held.contains(report.realmId())))) {
                                return false;
                            }
                            at[0] = Instant.now();
                            Map<String, String> current = currentTokens(sandbox);
                            Set<String> unstored = table.leasedBy(victim.name(), at[0]).stream()
                                    .filter(row -> !row.refreshTokenSha256().equals(current.get(row.realmId())))
                                    .map(StoredConnections.Row::realmId)
                                    .collect(Collectors.toSet());
                            return !unstored.isEmpty() && held.containsAll(unstored);
                        });
                        if (killed) {
                            killedAt.set(at[0]);
                        }
                        return killed;
                    });
            if (exitedOnItsOwn.get()) {
                return new AnswerWindowKill(false, Set.of());
            }
            // Every answer it was waiting for has been rotated (and written to a closed socket) by now.
            sleep(answerDelay.plusSeconds(1));
            Map<String, String> current = currentTokens(sandbox);
            Set<String> unstored = table.all().stream()
                    .filter(row -> victim.name().equals(row.leaseOwner()) && row.leaseUntil() != null && row
                            .leaseUntil().isAfter(killedAt.get()))
                    .filter(row -> !row.refreshTokenSha256().equals(current.get(row.realmId())))
                    .map(StoredConnections.Row::realmId)
                    .collect(Collectors.toSet());
            System.out.println("killed " + victim.name() + " with SIGKILL in the answer window of " + unstored.size()
                    + " connection(s) with a reuse grace");
            return new AnswerWindowKill(true, unstored);
        } finally {
            held.forEach(realm -> sandbox.answerDelay(realm, null));
        }
    }

    /**
     * Kills the worker with SIGKILL while PostgreSQL is down. No refresh can start then (the claim is a statement), so
     * the provider issues nothing new; refreshes already under way when the database went away hand their tokens to
     * RabbitMQ after the store retry. The kill waits until the provider has granted nothing for {@code quiet} and the
     * worker holds no issued tokens that are neither stored nor handed off ({@code refresher.handoff.held} is 0). A
     * worker whose HTTP port does not answer has not finished starting (the web server starts before the consumers, as
     * a Spring Boot app's last lifecycle phases), so it can hold nothing.
     *
     * @return whether it killed the worker; false when the worker had already exited by itself
     */
    static boolean killDuringDatabaseOutage(Sandbox sandbox, AppProcess victim, Duration quiet) {
        AtomicBoolean exitedOnItsOwn = new AtomicBoolean();
        AtomicLong lastCount = new AtomicLong(-1);
        AtomicReference<Instant> lastChange = new AtomicReference<>(Instant.now());
        await("a moment to kill " + victim.name() + " while PostgreSQL is down").atMost(quiet.plusSeconds(60))
                .pollInterval(Duration.ofMillis(500)).until(() -> {
                    if (!victim.isAlive()) {
                        exitedOnItsOwn.set(true);
                        return true;
                    }
                    long granted = sandbox.refreshes();
                    if (granted != lastCount.getAndSet(granted)) {
                        lastChange.set(Instant.now());
                        return false;
                    }
                    if (Duration.between(lastChange.get(), Instant.now()).compareTo(quiet) < 0 || heldTokens(
                            victim) > 0) {
                        return false;
                    }
                    victim.kill();
                    System.out.println("killed " + victim.name() + " with SIGKILL while PostgreSQL is down");
                    return true;
                });
        return !exitedOnItsOwn.get();
    }

    /** Issued tokens the worker holds neither stored nor handed off; 0 when it does not answer (still starting). */
    private static double heldTokens(AppProcess worker) {
        try {
            return RunningSystem.meter(worker, "refresher.handoff.held");
        } catch (IllegalStateException e) {
            return 0;
        }
    }

    /**
     * Freezes the worker and kills it if {@code killNow} says so, else thaws it; a failure thaws it too.
     *
     * @return whether it was killed
     */
    private static boolean frozen(AppProcess victim, BooleanSupplier killNow) {
        victim.freeze();
        boolean killed = false;
        try {
            if (killNow.getAsBoolean()) {
                victim.kill();
                killed = true;
                System.out.println("killed " + victim.name() + " with SIGKILL");
            }
            return killed;
        } finally {
            if (!killed) {
                victim.thaw();
            }
        }
    }

    /** Polls {@code condition} every 10 ms after a first 50 ms, for at most {@code limit}. */
    private static boolean within(Duration limit, BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(limit);
        sleep(Duration.ofMillis(50));
        while (true) {
            if (condition.getAsBoolean()) {
                return true;
            }
            if (Instant.now().isAfter(deadline)) {
                return false;
            }
            sleep(Duration.ofMillis(10));
        }
    }

    private static Map<String, String> currentTokens(Sandbox sandbox) {
        return sandbox.reports().entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().currentRefreshTokenSha256()));
    }

    private static long refreshesOf(Sandbox sandbox, Set<String> realms) {
        return sandbox.reports().values().stream().filter(report -> realms.contains(report.realmId()))
                .mapToLong(Sandbox.Report::refreshes).sum();
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
