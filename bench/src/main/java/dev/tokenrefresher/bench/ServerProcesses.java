package dev.tokenrefresher.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The processes of the broker and of the database server the benchmark talks to, and no others: a machine may run more
 * than one of each (a RabbitMQ cluster's extra nodes, a PostgreSQL standby), and counting every {@code beam.smp} or
 * {@code postgres} would charge their CPU and memory to the run.
 */
final class ServerProcesses {

    /** {@code st} of a listening socket in {@code /proc/net/tcp}. */
    private static final String LISTEN = "0A";

    private ServerProcesses() {
    }

    /**
     * The process listening on this local TCP port (the broker's AMQP port) and its descendants; empty if none here
     * (a broker on another machine) or if the sockets of other users' processes cannot be read.
     */
    static List<Long> listeningOn(int port) {
        Set<Long> inodes = new HashSet<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try {
                inodes.addAll(listeningInodes(Files.readAllLines(Path.of(table)), port));
            } catch (IOException | RuntimeException unreadable) {
                // no IPv6, or no /proc: nothing found here
            }
        }
        if (inodes.isEmpty()) {
            return List.of();
        }
        Set<String> sockets = new HashSet<>();
        inodes.forEach(inode -> sockets.add("socket:[" + inode + "]"));
        try (DirectoryStream<Path> processes = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path process : processes) {
                if (holdsOneOf(process, sockets)) {
                    long pid = Long.parseLong(process.getFileName().toString());
                    return withDescendants(pid);
                }
            }
        } catch (IOException unreadable) {
            return List.of();
        }
        return List.of();
    }

    /**
     * The inodes of the sockets listening on {@code port}, from the lines of {@code /proc/net/tcp} or {@code tcp6}
     * ({@code sl local_address rem_address st ... uid timeout inode ...}, addresses as hex {@code address:port}).
     */
    static Set<Long> listeningInodes(List<String> procNetTcp, int port) {
        Set<Long> inodes = new HashSet<>();
        for (String line : procNetTcp) {
            String[] fields = line.strip().split("\\s+");
            if (fields.length < 10 || !fields[0].endsWith(":") || !LISTEN.equals(fields[3])) {
                continue;
            }
            String local = fields[1];
            int localPort = Integer.parseInt(local.substring(local.lastIndexOf(':') + 1), 16);
            if (localPort == port) {
                inodes.add(Long.parseLong(fields[9]));
            }
        }
        return inodes;
    }

    private static boolean holdsOneOf(Path process, Set<String> sockets) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(process.resolve("fd"))) {
            for (Path fd : fds) {
                try {
                    if (sockets.contains(Files.readSymbolicLink(fd).toString())) {
                        return true;
                    }
                } catch (IOException closed) {
                    // the descriptor closed meanwhile
                }
            }
        } catch (IOException | SecurityException unreadable) {
            // another user's process, or one that ended
        }
        return false;
    }

    /**
     * Every process of the PostgreSQL server this client is connected to: the server's main process (the parent of
     * this connection's backend) and all its children, background processes included (checkpointer, WAL writer,
     * autovacuum), looked up anew at each call, as backends come and go. Empty if the server is not on this machine.
     */
    static Supplier<List<Long>> postgresServer(JdbcClient jdbc) {
        long backend = jdbc.sql("SELECT pg_backend_pid()").query(Long.class).single();
        Optional<Long> postmaster = ProcessHandle.of(backend).filter(ServerProcesses::isPostgres).flatMap(
                ProcessHandle::parent).filter(ServerProcesses::isPostgres).map(ProcessHandle::pid);
        return () -> postmaster.map(ServerProcesses::withDescendants).orElse(List.of());
    }

    private static boolean isPostgres(ProcessHandle process) {
        return process.info().command().map(command -> command.endsWith("/postgres") || command.equals("postgres"))
                .orElse(false);
    }

    private static List<Long> withDescendants(long pid) {
        List<Long> pids = new ArrayList<>();
        pids.add(pid);
        ProcessHandle.of(pid).stream().flatMap(ProcessHandle::descendants).map(ProcessHandle::pid).forEach(
                pids::add);
        return pids;
    }

    /** The broker's processes: those listening on its AMQP port here, else every {@code beam.smp} (said so). */
    static Supplier<List<Long>> broker(int amqpPort) {
        List<Long> found = listeningOn(amqpPort);
        if (found.isEmpty()) {
            Benchmark.log("no local process found listening on port " + amqpPort + ": the broker's CPU and memory "
                    + "are those of every beam.smp on this machine");
            return CpuMeter.byCommand("beam.smp");
        }
        long main = found.getFirst();
        // the broker's own helpers (erl_child_setup, inet_gethost) are its descendants; looked up anew at each call
        return () -> ProcessHandle.of(main).isPresent() ? withDescendants(main) : List.of();
    }

    /**
     * The processes whose CPU and memory the benchmark charges to the broker and to the database.
     *
     * @param broker the broker's processes, looked up anew at each call
     * @param database the database server's processes, looked up anew at each call
     */
    record Servers(Supplier<List<Long>> broker, Supplier<List<Long>> database) {

        /** The broker listening on {@code amqpPort} here and the PostgreSQL server {@code jdbc} is connected to. */
        static Servers of(int amqpPort, JdbcClient jdbc) {
            Supplier<List<Long>> database = postgresServer(jdbc);
            if (database.get().isEmpty()) {
                Benchmark.log("the PostgreSQL server's processes were not found here: its CPU is that of every "
                        + "postgres process on this machine");
                database = CpuMeter.byCommand("postgres");
            }
            return new Servers(ServerProcesses.broker(amqpPort), database);
        }
    }
}
