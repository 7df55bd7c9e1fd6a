package dev.tokenrefresher.scheduler.deadletter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.management.OperatingSystemMXBean;
import com.zaxxer.hikari.HikariDataSource;
import dev.tokenrefresher.common.messaging.DeadLetterHeaders;
import dev.tokenrefresher.common.messaging.RefreshMessageCodec;
import dev.tokenrefresher.common.messaging.RefresherTopology;
import dev.tokenrefresher.common.test.BlackholeProxy;
import dev.tokenrefresher.common.test.RabbitFixtures;
import dev.tokenrefresher.common.test.TestServices;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.ObjectMapper;

/**
 * The dead-letter archive on the real PostgreSQL and RabbitMQ: it waits out a database outage without requeueing or
 * spinning, cuts what does not fit its columns, and moves what the database refuses to the unarchived queue.
 */
class DeadLetterArchiveTest {

    private static final TestServices.Namespace NAMESPACE = TestServices.get().newNamespace();
    private static final Duration INITIAL_BACKOFF = Duration.ofMillis(200);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);

    private static CachingConnectionFactory rabbitFactory;
    private static RefresherTopology topology;
    private static JdbcClient database;

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private DeadLetterArchive archive;

    @BeforeAll
    static void services() {
        TestServices services = TestServices.get();
        Flyway.configure().dataSource(services.jdbcUrl(NAMESPACE), services.postgresUser(), services
                .postgresPassword()).schemas(NAMESPACE.schema()).defaultSchema(NAMESPACE.schema()).load().migrate();
        rabbitFactory = RabbitFixtures.connectionFactory();
        topology = RabbitFixtures.declareTopology(rabbitFactory, RabbitFixtures.messagingProperties(NAMESPACE), List
                .of());
        database = JdbcClient.create(pool(services.jdbcUrl(NAMESPACE)));
    }

    @AfterAll
    static void closeServices() {
        rabbitFactory.destroy();
    }

    @AfterEach
    void stopArchive() throws Exception {
        if (archive != null) {
            archive.stop();
        }
        for (AutoCloseable resource : closing.reversed()) {
            resource.close();
        }
    }

    @Test
    void whilePostgresIsDownTheArchiveHoldsTheLettersBacksOffAndArchivesEveryOneOnceItIsBack() {
        BlackholeProxy postgres = BlackholeProxy.to(TestServices.get().postgresHost(), TestServices.get()
                .postgresPort());
        closing.add(postgres);
        archive = startArchive(pool(TestServices.get().jdbcUrl(NAMESPACE, postgres.port())));
        String run = UUID.randomUUID().toString();
        publish(run + "-before", Map.of(DeadLetterHeaders.REASON, "retries_exhausted"), "{}");
        await().atMost(Duration.ofSeconds(20)).until(() -> archivedWithPrefix(run) == 1);

        postgres.down();
        for (int i = 0; i < 20; i++) {
            publish(run + "-during-" + i, Map.of(DeadLetterHeaders.REASON, "retries_exhausted"), "{}");
        }
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpuBefore = os.getProcessCpuTime();
        long outageStarted = System.nanoTime();
        // 0.2 + 0.4 + 0.8 + 1.6 + 2 + 2 + 2 s of back-off, plus each try's connection timeout: about 10 s of outage
        await().atMost(Duration.ofSeconds(40)).until(() -> retries("database_unavailable") >= 8);
        double outageSeconds = (System.nanoTime() - outageStarted) / 1e9;
        double cpuSeconds = (os.getProcessCpuTime() - cpuBefore) / 1e9;
        double retries = retries("database_unavailable");
        assertThat(meters.get("refresher.dead_letters.archive_waiting").gauge().value()).isLessThanOrEqualTo(1);
        assertThat(queueDepth(topology.unarchivedQueue())).isZero();

        System.out.printf("outage %.1f s: %.0f tries, %.2f CPU s, %d letters waiting%n", outageSeconds, retries,
                cpuSeconds, queueDepth(topology.deadLetterQueue()));

        postgres.up();

        await().atMost(Duration.ofSeconds(30)).until(() -> archivedWithPrefix(run) == 21);
        // at most one try per back-off step: past the growing steps, one per MAX_BACKOFF, never a spin
        assertThat(retries).isLessThanOrEqualTo(5 + outageSeconds / MAX_BACKOFF.toSeconds());
        // the listener waited, it did not spin: the whole JVM (pools, proxy, broker client) used a small part of a core
        assertThat(cpuSeconds).as("CPU seconds in %.1f s of outage", outageSeconds).isLessThan(outageSeconds * 0.5);
        // no letter came back to the queue: not one delivery of the limit was spent on the outage
        assertThat(meters.get("refresher.dead_letters.redelivered").counter().count()).isZero();
        assertThat(queueDepth(topology.deadLetterQueue())).isZero();
        assertThat(queueDepth(topology.unarchivedQueue())).isZero();
        assertThat(database.sql("SELECT count(DISTINCT message_id) FROM dead_letter WHERE message_id LIKE :run")
                .param("run", run + "%").query(Long.class).single()).isEqualTo(21);
    }

    @Test
    void aStopWhileTheArchiveWaitsForTheDatabaseEndsTheWaitAtOnceAndGivesTheLetterBack() {
        BlackholeProxy postgres = BlackholeProxy.to(TestServices.get().postgresHost(), TestServices.get()
                .postgresPort());
        closing.add(postgres);
        DeadLetterArchive waiting = startArchive(pool(TestServices.get().jdbcUrl(NAMESPACE, postgres.port())),
                new DeadLetterProperties(Duration.ofMinutes(5), Duration.ofMinutes(5), 2.0, null, null, null, null));
        postgres.down();
        String messageId = UUID.randomUUID() + "-held-at-stop";
        publish(messageId, Map.of(DeadLetterHeaders.REASON, "retries_exhausted"), "{}");
        await().atMost(Duration.ofSeconds(20)).until(() -> meters.get("refresher.dead_letters.archive_waiting")
                .gauge().value() == 1);

        long stopping = System.nanoTime();
        waiting.stop();

        // not the 5-minute back-off, nor the container's shutdown timeout
        assertThat(Duration.ofNanos(System.nanoTime() - stopping)).isLessThan(Duration.ofSeconds(3));
        Message back = await().atMost(Duration.ofSeconds(20)).until(() -> new RabbitTemplate(rabbitFactory).receive(
                topology.deadLetterQueue()), message -> message != null);
        assertThat(back.getMessageProperties().getMessageId()).isEqualTo(messageId);
        assertThat(queueDepth(topology.unarchivedQueue())).isZero();
    }

    @Test
    void fieldsLongerThanTheirColumnsAreCutToFitAndTheLetterIsFlaggedTruncated() {
        archive = startArchive(pool(TestServices.get().jdbcUrl(NAMESPACE)));
        // an AMQP message id is at most 255 bytes; the column takes 200 characters
        String messageId = UUID.randomUUID() + "-" + "m".repeat(210);
        String detail = "d".repeat(600);
        String body = "b".repeat(ArchivedFields.BODY_BYTES + 10);
        publish(messageId, Map.of(DeadLetterHeaders.REASON, "retries_exhausted", DeadLetterHeaders.DETAIL, detail,
                DeadLetterHeaders.WORKER, "w".repeat(200)), body);
        String archivedId = messageId.substring(0, ArchivedFields.MESSAGE_ID_CHARS);

        await().atMost(Duration.ofSeconds(20)).until(() -> database.sql("SELECT count(*) FROM dead_letter WHERE "
                + "message_id = :id").param("id", archivedId).query(Long.class).single() == 1);

        Map<String, Object> row = database.sql("SELECT truncated, length(detail) AS detail, length(worker) AS worker, "
                + "length(body) AS body, reason FROM dead_letter WHERE message_id = :id").param("id", archivedId)
                .query().singleRow();
        assertThat(row).containsEntry("truncated", true).containsEntry("detail", 500).containsEntry("worker", 128)
                .containsEntry("body", ArchivedFields.BODY_BYTES).containsEntry("reason", "retries_exhausted");
        assertThat(meters.get("refresher.dead_letters.archived").tag("truncated", "true").counter().count())
                .isEqualTo(1);
        assertThat(meters.get("refresher.dead_letters.redelivered").counter().count()).isZero();
        assertThat(queueDepth(topology.unarchivedQueue())).isZero();
    }

    @Test
    void aLetterTheDatabaseRefusesGoesWholeToTheUnarchivedQueueWithTheReasonAndTheOthersAreArchived() {
        archive = startArchive(pool(TestServices.get().jdbcUrl(NAMESPACE)));
        String run = UUID.randomUUID().toString();
        // PostgreSQL cannot store a NUL character in text: a data exception (SQLState class 22), the same on every try
        publish(run + "-refused", Map.of(DeadLetterHeaders.REASON, "invalid_grant", DeadLetterHeaders.ERROR_CODE,
                "bad\u0000code", DeadLetterHeaders.PROVIDER, "quickbooks"), "{\"connectionId\":\"x\"}");
        publish(run + "-fine", Map.of(DeadLetterHeaders.REASON, "invalid_grant"), "{}");

        Message moved = await().atMost(Duration.ofSeconds(20)).until(() -> new RabbitTemplate(rabbitFactory).receive(
                topology.unarchivedQueue()), message -> message != null);

        assertThat(moved.getMessageProperties().getMessageId()).isEqualTo(run + "-refused");
        assertThat(new String(moved.getBody(), StandardCharsets.UTF_8)).isEqualTo("{\"connectionId\":\"x\"}");
        assertThat(moved.getMessageProperties().getHeaders().get(DeadLetterArchive.ARCHIVE_ERROR).toString())
                .startsWith("22");
        assertThat(moved.getMessageProperties().getHeaders()).containsEntry(DeadLetterHeaders.REASON, "invalid_grant")
                .containsEntry(DeadLetterHeaders.PROVIDER,
                        "quickbooks")
                .containsKey(DeadLetterArchive.ARCHIVE_FAILED_AT);
        assertThat(moved.getMessageProperties().getHeaders().get(DeadLetterArchive.ARCHIVE_FAILURE).toString())
                .contains("SQLState 22");
        await().atMost(Duration.ofSeconds(20)).until(() -> archivedWithPrefix(run) == 1);
        assertThat(archivedWithPrefix(run + "-fine")).isEqualTo(1);
        assertThat(meters.get("refresher.dead_letters.unarchived").counter().count()).isEqualTo(1);
        assertThat(meters.get("refresher.dead_letters.redelivered").counter().count()).isZero();
        assertThat(queueDepth(topology.deadLetterQueue())).isZero();
    }

    @Test
    void whenTheDatabaseRefusesEveryLetterTheyAreHeldAndArchivedOnceItTakesThemNotMovedAside() {
        archive = startArchive(pool(TestServices.get().jdbcUrl(NAMESPACE)));
        String run = UUID.randomUUID().toString();
        // a release that forgot a migration, a wrong schema: the database answers, but no row can be stored (42P01)
        database.sql("ALTER TABLE dead_letter RENAME TO dead_letter_moved").update();
        try {
            publish(run + "-held", Map.of(DeadLetterHeaders.REASON, "malformed"), "{}");
            await().atMost(Duration.ofSeconds(20)).until(() -> retries("database_error") >= 2);
        } finally {
            database.sql("ALTER TABLE dead_letter_moved RENAME TO dead_letter").update();
        }

        await().atMost(Duration.ofSeconds(20)).until(() -> archivedWithPrefix(run) == 1);
        assertThat(queueDepth(topology.unarchivedQueue())).isZero();
        assertThat(meters.get("refresher.dead_letters.redelivered").counter().count()).isZero();
    }

    private DeadLetterArchive startArchive(HikariDataSource pool) {
        return startArchive(pool, new DeadLetterProperties(INITIAL_BACKOFF, MAX_BACKOFF, 2.0, null, null, null, null));
    }

    private DeadLetterArchive startArchive(HikariDataSource pool, DeadLetterProperties properties) {
        closing.add(pool);
        DeadLetterArchive started = new DeadLetterArchive(rabbitFactory, topology, new DeadLetterRecords(JdbcClient
                .create(pool)), new RefreshMessageCodec(new ObjectMapper()), RabbitFixtures.messagingProperties(
                        NAMESPACE),
                properties, meters, Clock.systemUTC());
        // stopped after each test, whichever way it was started
        archive = started;
        started.start();
        return started;
    }

    private static HikariDataSource pool(String jdbcUrl) {
        HikariDataSource pool = new HikariDataSource();
        pool.setJdbcUrl(jdbcUrl);
        pool.setUsername(TestServices.get().postgresUser());
        pool.setPassword(TestServices.get().postgresPassword());
        pool.setMaximumPoolSize(2);
        pool.setConnectionTimeout(500);
        return pool;
    }

    private static void publish(String messageId, Map<String, Object> headers, String body) {
        MessageProperties properties = new MessageProperties();
        properties.setMessageId(messageId);
        headers.forEach(properties::setHeader);
        new RabbitTemplate(rabbitFactory).send(topology.deadLetterExchange(), "", new Message(body.getBytes(
                StandardCharsets.UTF_8), properties));
    }

    private static long archivedWithPrefix(String prefix) {
        return database.sql("SELECT count(*) FROM dead_letter WHERE message_id LIKE :prefix").param("prefix", prefix
                + "%").query(Long.class).single();
    }

    private double retries(String cause) {
        return meters.get("refresher.dead_letters.archive_retries").tag("cause", cause).counter().count();
    }

    private static long queueDepth(String queue) {
        return new RabbitAdmin(rabbitFactory).getQueueInfo(queue).getMessageCount();
    }
}
