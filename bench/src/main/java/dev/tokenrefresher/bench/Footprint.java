package dev.tokenrefresher.bench;

import dev.tokenrefresher.common.crypto.CipherBinding;
import dev.tokenrefresher.common.crypto.TokenCipher;
import dev.tokenrefresher.common.messaging.PublishFailedException;
import dev.tokenrefresher.common.messaging.RefreshMessage;
import dev.tokenrefresher.common.messaging.RefreshPublisher;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The footprint scenario: many connections stored (through {@code COPY}, with tokens encrypted by the real cipher) and
 * scheduled (one message each in the delay ladder, due between one and two hours from now, so nothing falls due during
 * the run), then what that costs at rest: the broker's resident memory, the table and index sizes, the apps' heaps.
 */
final class Footprint {

    /** Rows per {@code COPY} and messages per confirmed publish batch. */
    private static final int CHUNK = 10_000;
    private static final int PUBLISH_BATCH = 1_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * @param brokerBefore / brokerAfter resident memory of the broker's processes, bytes, before the messages were
     *            published and after
     * @param tableBytes the connection table with its TOAST data; indexBytes all its indexes
     */
    record Result(int connections, int accessTokenChars, double storeSeconds, double publishSeconds, long brokerBefore,
            long brokerAfter, long tableBytes, long indexBytes, long rows, long schedulerHeap, long workerHeap) {
    }

    private final DataSource dataSource;
    private final JdbcClient jdbc;
    private final TokenCipher cipher;
    private final RefreshPublisher publisher;
    private final String provider;

    Footprint(DataSource dataSource, JdbcClient jdbc, TokenCipher cipher, RefreshPublisher publisher,
            String provider) {
        this.dataSource = dataSource;
        this.jdbc = jdbc;
        this.cipher = cipher;
        this.publisher = publisher;
        this.provider = provider;
    }

    Result run(int count, int accessTokenChars, AppProcess scheduler, AppProcess worker) throws Exception {
        Instant now = Instant.now();
        long started = System.nanoTime();
        List<RefreshMessage> messages = new ArrayList<>(count);
        for (int from = 0; from < count; from += CHUNK) {
            int size = Math.min(CHUNK, count - from);
            StringBuilder csv = new StringBuilder(size * (accessTokenChars * 2 + 400));
            for (int i = from; i < from + size; i++) {
                UUID id = UUID.randomUUID();
                // due between one and two hours from now, spread evenly: scheduled, not due during the run
                Instant due = now.plus(Duration.ofHours(1)).plusMillis(Duration.ofHours(1).toMillis() * i / count);
                csv.append(id).append(",footprint-").append(i).append(',').append(provider).append(',')
                        .append(hex(cipher.encrypt(String.valueOf(9130_0000_0000_0000L + i), CipherBinding
                                .connection(id, "realm_id_enc"))))
                        .append(",ACTIVE,")
                        .append(hex(cipher.encrypt(token(accessTokenChars), CipherBinding.connection(id,
                                "access_token_enc"))))
                        .append(',')
                        .append(hex(cipher.encrypt(token(50), CipherBinding.connection(id, "refresh_token_enc"))))
                        .append(',').append(due.plus(Duration.ofMinutes(10))).append(',').append(now.plus(Duration
                                .ofDays(100)))
                        .append(',').append(due).append(",1,").append(now).append(',').append(
                                now)
                        .append('\n');
                messages.add(new RefreshMessage(id, 1, due, 0));
            }
            copy(csv.toString());
            if ((from + size) % 100_000 == 0) {
                Benchmark.log(String.format(java.util.Locale.ROOT, "  footprint: stored %,d connections", from + size));
            }
        }
        double storeSeconds = (System.nanoTime() - started) / 1e9;
        jdbc.sql("VACUUM ANALYZE connection").update();
        long brokerBefore = brokerResidentBytes();
        started = System.nanoTime();
        for (int from = 0; from < messages.size(); from += PUBLISH_BATCH) {
            Instant publishedAt = Instant.now();
            List<RefreshPublisher.Outgoing> batch = messages.subList(from, Math.min(messages.size(), from
                    + PUBLISH_BATCH)).stream().map(m -> new RefreshPublisher.Outgoing(provider, m)).toList();
            List<PublishFailedException> failures = publisher.publishAll(batch, publishedAt);
            if (!failures.isEmpty()) {
                throw failures.getFirst();
            }
            if ((from + PUBLISH_BATCH) % 100_000 == 0) {
                Benchmark.log(String.format(java.util.Locale.ROOT, "  footprint: scheduled %,d messages", from
                        + PUBLISH_BATCH));
            }
        }
        double publishSeconds = (System.nanoTime() - started) / 1e9;
        // let the broker settle (quorum queues write their logs behind the confirms) before measuring it
        AppProcess.sleep(Duration.ofSeconds(10));
        long brokerAfter = brokerResidentBytes();
        long tableBytes = jdbc.sql("SELECT pg_table_size('connection')").query(Long.class).single();
        long indexBytes = jdbc.sql("SELECT pg_indexes_size('connection')").query(Long.class).single();
        long rows = jdbc.sql("SELECT count(*) FROM connection").query(Long.class).single();
        return new Result(count, accessTokenChars, storeSeconds, publishSeconds, brokerBefore, brokerAfter,
                tableBytes, indexBytes, rows, heapUsed(scheduler), heapUsed(worker));
    }

    private void copy(String csv) throws SQLException, IOException {
        try (Connection connection = dataSource.getConnection()) {
            connection.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY connection (id, tenant_id, provider, "
                    + "realm_id_enc, status, access_token_enc, refresh_token_enc, access_expires_at, "
                    + "refresh_expires_at, next_refresh_at, refresh_fence, created_at, updated_at) FROM STDIN "
                    + "(FORMAT csv)", new StringReader(csv));
        }
    }

    private static String hex(byte[] bytes) {
        return "\\x" + HexFormat.of().formatHex(bytes);
    }

    private static String token(int chars) {
        byte[] bytes = new byte[chars * 3 / 4 + 1];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).substring(0, chars);
    }

    /** The resident set of every {@code beam.smp} process on this machine, from /proc. */
    static long brokerResidentBytes() {
        long total = 0;
        for (long pid : CpuMeter.byCommand("beam.smp").get()) {
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
