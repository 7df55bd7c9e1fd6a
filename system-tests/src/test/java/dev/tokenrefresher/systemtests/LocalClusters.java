package dev.tokenrefresher.systemtests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The three-node RabbitMQ cluster and the PostgreSQL primary/standby pair of {@code scripts/rabbitmq-cluster.sh} and
 * {@code scripts/postgres-failover.sh}, driven from a test: started beside the machine's own services (never those),
 * broken on purpose, and removed again.
 */
final class LocalClusters {

    static final String RABBITMQ_ADDRESSES = "127.0.0.1:5701,127.0.0.1:5702,127.0.0.1:5703";
    static final String DATABASE = "tokenrefresher";
    static final String POSTGRES_HOSTS = "127.0.0.1:5441,127.0.0.1:5442";
    private static final Path SCRIPTS = Path.of("..", "scripts");
    private static final String RABBITMQ = "rabbitmq-cluster.sh";
    private static final String POSTGRES = "postgres-failover.sh";
    private static final List<String> NEEDED = List.of("rabbitmq-server", "rabbitmqctl", "rabbitmq-diagnostics",
            "pg_createcluster", "pg_ctlcluster", "pg_basebackup", "pg_dropcluster", "psql");

    private LocalClusters() {
    }

    /** Why the scripts cannot run here, or empty where they can. */
    static Optional<String> whyNotHere() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return Optional.of("the cluster scripts run rabbitmq-server and pg_createcluster as root; this JVM runs as "
                    + System.getProperty("user.name"));
        }
        for (String command : NEEDED) {
            if (!commandExists(command)) {
                return Optional.of(command + " is not installed (RabbitMQ server and Debian's postgresql-common are "
                        + "needed)");
            }
        }
        if (!Files.isExecutable(SCRIPTS.resolve(RABBITMQ)) || !Files.isExecutable(SCRIPTS.resolve(POSTGRES))) {
            return Optional.of("scripts/" + RABBITMQ + " or scripts/" + POSTGRES + " not found from "
                    + Path.of("").toAbsolutePath());
        }
        return Optional.empty();
    }

    /** Both clusters from scratch: whatever an earlier run left is removed first. */
    static void start() {
        stop();
        System.out.println(rabbitmq("start"));
        System.out.println(postgres("start"));
    }

    /** Stops and removes both; each is tried whatever happens to the other. */
    static void stop() {
        RuntimeException failure = null;
        for (List<String> command : List.of(List.of(RABBITMQ, "stop"), List.of(POSTGRES, "stop"))) {
            try {
                System.out.println(run(command.get(0), command.get(1)));
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** The multi-host JDBC URL of the pair, with the namespace's schema. */
    static String jdbcUrl(String schema) {
        return "jdbc:postgresql://" + POSTGRES_HOSTS + "/" + DATABASE + "?targetServerType=primary&currentSchema="
                + schema;
    }

    static String rabbitmq(String... arguments) {
        return run(RABBITMQ, arguments);
    }

    static String postgres(String... arguments) {
        return run(POSTGRES, arguments);
    }

    /**
     * The queues of {@code prefix} on the cluster, each with its number of members (replicas), as node {@code node}
     * lists them.
     */
    static List<String> queueMembers(int node, String prefix) {
        String listing = shell(List.of("rabbitmqctl", "-q", "-n", "rc" + node + "@localhost", "list_queues", "name",
                "members"));
        List<String> queues = new ArrayList<>();
        for (String line : listing.split("\n")) {
            if (line.startsWith(prefix + ".")) {
                String[] parts = line.split("\t", 2);
                long members = parts.length < 2 ? 0 : parts[1].chars().filter(c -> c == '@').count();
                queues.add(parts[0] + " " + members);
            }
        }
        return queues;
    }

    private static String run(String script, String... arguments) {
        List<String> command = new ArrayList<>();
        command.add(SCRIPTS.resolve(script).toString());
        command.addAll(List.of(arguments));
        Instant started = Instant.now();
        String output = shell(command);
        return script + " " + String.join(" ", arguments) + " (" + Duration.between(started, Instant.now())
                .toMillis() + " ms): " + output;
    }

    private static String shell(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!process.waitFor(180, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish within 180 s");
            }
            String output = new String(process.getInputStream().readAllBytes()).trim();
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed with " + process.exitValue()
                        + ": " + output);
            }
            return output;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
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
