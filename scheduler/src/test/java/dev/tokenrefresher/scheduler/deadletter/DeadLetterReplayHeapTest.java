package dev.tokenrefresher.scheduler.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenrefresher.common.messaging.RefresherTopology;
import dev.tokenrefresher.common.test.RabbitFixtures;
import dev.tokenrefresher.common.test.TestServices;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * A replay by filter of 100,000 dead letters in a JVM whose heap cannot hold them: each letter's row carries a
 * 500-character detail, so the letters alone are about 80 MB as Java objects, and the probe runs with
 * {@value #HEAP}. Reading them all before replaying (as the replay did) ends in {@link OutOfMemoryError}; streaming
 * them in pages replays every one, and every connection's message is in its work queue afterwards.
 */
class DeadLetterReplayHeapTest {

    private static final int LETTERS = 100_000;
    private static final String HEAP = "-Xmx64m";
    private static final String PROVIDER = "replayheap";

    @Test
    void aReplayByFilterOf100000LettersStreamsThemThroughABoundedHeapAndPublishesEveryOne() throws Exception {
        TestServices services = TestServices.get();
        TestServices.Namespace namespace = services.newNamespace();
        TestServices.get().deleteQueuesAtExit(List.of(PROVIDER));
        Flyway.configure().dataSource(services.jdbcUrl(namespace), services.postgresUser(), services
                .postgresPassword()).schemas(namespace.schema()).defaultSchema(namespace.schema()).load().migrate();
        CachingConnectionFactory rabbit = RabbitFixtures.connectionFactory();
        RefresherTopology topology = RabbitFixtures.declareTopology(rabbit, RabbitFixtures.messagingProperties(
                namespace), List.of(PROVIDER));
        JdbcClient database = JdbcClient.create(new DriverManagerDataSource(services.jdbcUrl(namespace), services
                .postgresUser(), services.postgresPassword()));
        try {
            seed(database);

            Path output = Files.createTempFile("replay-heap-probe", ".log");
            Process probe = startProbe(namespace, output);
            boolean ended = probe.waitFor(5, TimeUnit.MINUTES);
            String log = Files.readString(output, StandardCharsets.UTF_8);
            if (!ended) {
                probe.destroyForcibly();
            }

            assertThat(ended).as("the probe ended within 5 minutes").isTrue();
            assertThat(log).doesNotContain("OutOfMemoryError");
            assertThat(probe.exitValue()).as("the probe's exit status; its output:%n%s", tail(log)).isZero();
            Matcher result = Pattern.compile(ReplayHeapProbe.RESULT
                    + " replayed=(\\d+) skipped=(\\d+) listed=(\\d+) peakHeapBytes=(\\d+) maxHeapBytes=(\\d+)")
                    .matcher(log);
            assertThat(result.find()).as("the probe's result line in:%n%s", tail(log)).isTrue();
            System.out.printf("replay of %,d letters: peak heap %,d of %,d bytes%n", LETTERS, Long.parseLong(result
                    .group(4)), Long.parseLong(result.group(5)));
            assertThat(Long.parseLong(result.group(1))).isEqualTo(LETTERS);
            assertThat(Long.parseLong(result.group(2))).isZero();
            assertThat(Integer.parseInt(result.group(3))).isEqualTo(DeadLetterReplay.LISTED_MAX);
            // a long run says how far it got as it goes
            assertThat(log).contains("replay by filter (reason=retries_exhausted provider=" + PROVIDER);
            assertThat(database.sql("SELECT count(*) FROM dead_letter WHERE replayed_at IS NULL").query(Long.class)
                    .single()).isZero();
            assertThat(database.sql("SELECT count(*) FROM connection WHERE refresh_fence = 1").query(Long.class)
                    .single()).isEqualTo(LETTERS);
            // published, not only marked: one due-now message per connection waits in the work queue
            assertThat(new RabbitAdmin(rabbit).getQueueInfo(topology.workQueue(PROVIDER)).getMessageCount())
                    .isEqualTo(LETTERS);
        } finally {
            new RabbitAdmin(rabbit).purgeQueue(topology.workQueue(PROVIDER), false);
            rabbit.destroy();
            services.release(namespace);
        }
    }

    /** 100,000 connections, each with one dead letter, in two statements. */
    private static void seed(JdbcClient database) {
        String connectionId = "('00000000-0000-4000-8000-' || lpad(to_hex(g), 12, '0'))::uuid";
        database.sql("INSERT INTO connection (id, tenant_id, provider, status, access_token_enc, refresh_token_enc, "
                + "access_expires_at, next_refresh_at, created_at, updated_at) SELECT " + connectionId
                + ", 'tenant-' || g, :provider, 'ACTIVE', '\\x00'::bytea, '\\x00'::bytea, now(), NULL, now(), now() "
                + "FROM generate_series(1, :n) AS g").param("provider", PROVIDER).param("n", LETTERS).update();
        database.sql("INSERT INTO dead_letter (message_id, reason, detail, provider, connection_id, attempts, body, "
                + "received_at) SELECT " + connectionId + "::text || '/0', 'retries_exhausted', repeat('x', 500), "
                + ":provider, " + connectionId + ", 12, '\\x7b7d'::bytea, now() FROM generate_series(1, :n) AS g")
                .param("provider", PROVIDER).param("n", LETTERS).update();
    }

    private static Process startProbe(TestServices.Namespace namespace, Path output) throws IOException {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), HEAP, "-XX:+UseSerialGC", "-cp", classPath, ReplayHeapProbe.class.getName()));
        command.addAll(TestServices.get().springArguments(namespace));
        command.add("--probe.provider=" + PROVIDER);
        // the QuickBooks preset is always configured and needs credentials to start
        command.add("--refresher.providers.quickbooks.client-id=replay-heap-probe");
        command.add("--refresher.providers.quickbooks.client-secret=replay-heap-probe-secret");
        command.add("--refresher.dead-letters.replay-page-size=500");
        command.add("--refresher.dead-letters.replay-progress-interval=1s");
        command.add("--logging.level.root=WARN");
        command.add("--logging.level.dev.tokenrefresher.scheduler.deadletter=INFO");
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
    }

    private static String tail(String log) {
        return log.length() > 4000 ? log.substring(log.length() - 4000) : log;
    }
}
