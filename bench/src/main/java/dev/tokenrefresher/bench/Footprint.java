package dev.tokenrefresher.bench;

import dev.tokenrefresher.common.messaging.RefreshMessage;
import dev.tokenrefresher.common.messaging.RefreshPublisher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The footprint scenario: many connections stored (through {@code COPY}, with tokens encrypted by the real cipher) and
 * scheduled (one message each in the delay ladder, due between one and two hours from now, so nothing falls due during
 * the run), then what that costs at rest: the broker's resident memory, the table and index sizes, the apps' heaps.
 */
final class Footprint {

    /** Rows per {@code COPY}. */
    private static final int CHUNK = 10_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * @param brokerBefore / brokerAfter resident memory of the broker's processes, bytes, before the messages were
     *            published and after
     * @param tableBytes the connection table with its TOAST data; indexBytes all its indexes
     */
    record Result(int connections, int accessTokenChars, double storeSeconds, double publishSeconds, long brokerBefore,
            long brokerAfter, long tableBytes, long indexBytes, long rows, long schedulerHeap, long workerHeap) {
    }

    private final ConnectionCopier copier;
    private final JdbcClient jdbc;
    private final RefreshPublisher publisher;
    private final String provider;
    private final Supplier<List<Long>> broker;

    /** @param broker the broker's processes */
    Footprint(ConnectionCopier copier, JdbcClient jdbc, RefreshPublisher publisher, String provider,
            Supplier<List<Long>> broker) {
        this.copier = copier;
        this.jdbc = jdbc;
        this.publisher = publisher;
        this.provider = provider;
        this.broker = broker;
    }

    /** Stores and schedules many connections, then measures what they take at rest; one worker runs meanwhile. */
    Result runWithOneWorker(BenchSettings settings, Map<String, String> common, AppProcess scheduler)
            throws Exception {
        Benchmark.log(String.format(java.util.Locale.ROOT, "footprint: storing and scheduling %,d connections",
                settings.footprintConnections()));
        List<AppProcess> workers = WorkerProcesses.start("footprint", settings, 1, common, Map.of());
        try {
            Result result = run(settings.footprintConnections(), settings.footprintTokenChars(), scheduler, workers
                    .getFirst());
            Benchmark.log(String.format(java.util.Locale.ROOT, "  stored in %.0f s, scheduled in %.0f s; RabbitMQ %,d "
                    + "-> %,d MiB resident; connection table %,d MiB + indexes %,d MiB for %,d rows; heap used: "
                    + "scheduler %,d MiB, worker %,d MiB", result.storeSeconds(), result.publishSeconds(),
                    result
                            .brokerBefore() >> 20,
                    result.brokerAfter() >> 20, result.tableBytes() >> 20,
                    result.indexBytes() >> 20, result.rows(), result.schedulerHeap() >> 20, result.workerHeap() >> 20));
            return result;
        } finally {
            workers.forEach(AppProcess::close);
        }
    }

    private Result run(int count, int accessTokenChars, AppProcess scheduler, AppProcess worker) throws Exception {
        Instant now = Instant.now();
        long started = System.nanoTime();
        List<RefreshMessage> messages = new ArrayList<>(count);
        for (int from = 0; from < count; from += CHUNK) {
            int size = Math.min(CHUNK, count - from);
            List<ConnectionCopier.Row> rows = new ArrayList<>(size);
            for (int i = from; i < from + size; i++) {
                UUID id = UUID.randomUUID();
                // due between one and two hours from now, spread evenly: scheduled, not due during the run
                Instant due = now.plus(Duration.ofHours(1)).plusMillis(Duration.ofHours(1).toMillis() * i / count);
                rows.add(new ConnectionCopier.Row(id, "footprint-" + i, String.valueOf(9130_0000_0000_0000L + i),
                        token(accessTokenChars), token(50), due.plus(Duration.ofMinutes(10)), now.plus(Duration
                                .ofDays(100)),
                        due));
                messages.add(new RefreshMessage(id, 1, due, 0));
            }
            copier.copy(rows, now);
            if ((from + size) % 100_000 == 0) {
                Benchmark.log(String.format(java.util.Locale.ROOT, "  footprint: stored %,d connections", from + size));
            }
        }
        double storeSeconds = (System.nanoTime() - started) / 1e9;
        jdbc.sql("VACUUM ANALYZE connection").update();
        long brokerBefore = residentBytes(broker.get());
        started = System.nanoTime();
        publishInParallel(messages);
        double publishSeconds = (System.nanoTime() - started) / 1e9;
        // let the broker settle (quorum queues write their logs behind the confirms) before measuring it
        AppProcess.sleep(Duration.ofSeconds(10));
        long brokerAfter = residentBytes(broker.get());
        long tableBytes = jdbc.sql("SELECT pg_table_size('connection')").query(Long.class).single();
        long indexBytes = jdbc.sql("SELECT pg_indexes_size('connection')").query(Long.class).single();
        long rows = jdbc.sql("SELECT count(*) FROM connection").query(Long.class).single();
        return new Result(count, accessTokenChars, storeSeconds, publishSeconds, brokerBefore, brokerAfter,
                tableBytes, indexBytes, rows, heapUsed(scheduler), heapUsed(worker));
    }

    private void publishInParallel(List<RefreshMessage> messages) throws InterruptedException {
        List<RefreshPublisher.Outgoing> outgoing = messages.stream().map(m -> new RefreshPublisher.Outgoing(provider,
                m)).toList();
        ParallelPublish.publish(publisher, outgoing, done -> {
            if (done % 100_000 < ParallelPublish.BATCH) {
                Benchmark.log(String.format(java.util.Locale.ROOT, "  footprint: scheduled %,d messages", done - done
                        % 100_000));
            }
        });
    }

    private static String token(int chars) {
        byte[] bytes = new byte[chars * 3 / 4 + 1];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).substring(0, chars);
    }

    /** The resident set of these processes, from /proc. */
    static long residentBytes(List<Long> pids) {
        long total = 0;
        for (long pid : pids) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                    if (line.startsWith("VmRSS:")) {
                        total += Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                    }
                }
            } catch (IOException gone) {
                // the process ended between listing and reading
            }
        }
        return total;
    }

    /** Heap in use as the app's Prometheus endpoint reports it ({@code jvm_memory_used_bytes{area="heap"}}). */
    private static long heapUsed(AppProcess app) {
        double sum = 0;
        for (String line : app.get("/actuator/prometheus").split("\n")) {
            if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return (long) sum;
    }
}
