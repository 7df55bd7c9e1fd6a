package dev.tokenrefresher.scheduler.attempts;

import static dev.tokenrefresher.common.test.NewConnectionBuilder.aConnection;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tokenrefresher.common.connection.AttemptOutcome;
import dev.tokenrefresher.common.connection.AttemptRecord;
import dev.tokenrefresher.common.connection.ConnectionStore;
import dev.tokenrefresher.scheduler.SchedulerApiTestBase;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The attempt log's retention against the real table. The runs' clock stands 400 days ahead, so that every attempt
 * other tests of this JVM wrote is old too and the table's order is this test's to arrange.
 */
class AttemptLogPruningTest extends SchedulerApiTestBase {

    private static final Duration RETENTION = Duration.ofDays(30);

    @Autowired
    private OldestAttempts oldest;
    @Autowired
    private ConnectionStore store;
    @Autowired
    private JdbcClient jdbc;
    @Autowired
    private MeterRegistry meters;

    private Instant now;
    private UUID connectionId;

    @BeforeEach
    void connection() {
        now = Instant.now().plus(Duration.ofDays(400)).truncatedTo(ChronoUnit.SECONDS);
        connectionId = store.register(aConnection().build(), Instant.now()).id();
    }

    @AfterEach
    void forgetAttempts() {
        // the next test's runs start at the table's old end, which must not be one of these
        jdbc.sql("DELETE FROM refresh_attempt WHERE connection_id = :id").param("id", connectionId).update();
    }

    @Test
    void attemptsOlderThanTheRetentionAreDeletedBatchAfterBatchAndYoungerOnesKept() {
        for (int daysAgo = 40; daysAgo > 33; daysAgo--) {
            attempt(now.minus(Duration.ofDays(daysAgo)));
        }
        List<Instant> young = List.of(now.minus(Duration.ofDays(29)), now.minus(Duration.ofDays(1)), now.minus(
                Duration.ofHours(1)));
        young.forEach(this::attempt);
        double prunedBefore = meters.counter("refresher.attempts.pruned").count();

        AttemptLogPruning.Run run = pruning(2, Duration.ZERO).prune();

        assertThat(attemptTimes()).containsExactlyElementsOf(young);
        assertThat(jdbc.sql("SELECT count(*) FROM refresh_attempt WHERE attempted_at < :cutoff")
                .param("cutoff", Timestamp.from(now.minus(RETENTION))).query(Long.class).single())
                .as("attempts older than the retention, any connection's").isZero();
        assertThat(run.finished()).isTrue();
        assertThat(run.cutoff()).isEqualTo(now.minus(RETENTION));
        // seven of this test's and those of earlier tests, two per statement
        assertThat(run.deleted()).isGreaterThanOrEqualTo(7);
        assertThat(run.batches()).isGreaterThanOrEqualTo(4);
        assertThat(meters.counter("refresher.attempts.pruned").count() - prunedBefore).isEqualTo(run.deleted());
    }

    @Test
    void aRunEndsAtTheFirstBatchHoldingAnAttemptWithinTheRetention() {
        pruning(2, Duration.ZERO).prune();
        attempt(now.minus(Duration.ofDays(2)));
        attempt(now.minus(Duration.ofDays(45)));

        AttemptLogPruning.Run run = pruning(1, Duration.ZERO).prune();

        // the old attempt was written after the young one: it goes with the run whose batch reaches it (OldestAttempts)
        assertThat(run.deleted()).isZero();
        assertThat(run.batches()).isEqualTo(1);
        assertThat(attemptTimes()).hasSize(2);
        assertThat(pruning(2, Duration.ZERO).prune().deleted()).isEqualTo(1);
        assertThat(attemptTimes()).containsExactly(now.minus(Duration.ofDays(2)));
    }

    @Test
    void aStoppingSchedulerEndsARunBetweenBatchesAndLeavesTheRestForTheNext() throws Exception {
        pruning(2, Duration.ZERO).prune();
        for (int daysAgo = 40; daysAgo > 35; daysAgo--) {
            attempt(now.minus(Duration.ofDays(daysAgo)));
        }
        AttemptLogPruning slow = pruning(1, Duration.ofMinutes(10));
        AtomicReference<AttemptLogPruning.Run> run = new AtomicReference<>();
        Thread runner = Thread.ofPlatform().name("attempt-log-pruning-test").start(() -> run.set(slow.prune()));

        await().atMost(Duration.ofSeconds(10)).until(() -> attemptTimes().size() == 4);
        // what AttemptLogPruning.stop() does to its thread (ExecutorService.shutdownNow)
        runner.interrupt();
        runner.join(Duration.ofSeconds(10));
        AttemptLogPruning.Run stopped = run.get();

        assertThat(stopped.finished()).isFalse();
        assertThat(stopped.deleted()).isEqualTo(1);
        assertThat(attemptTimes()).hasSize(4);
        assertThat(pruning(2, Duration.ZERO).prune().deleted()).isEqualTo(4);
        assertThat(attemptTimes()).isEmpty();
    }

    private AttemptLogPruning pruning(int batchSize, Duration pause) {
        return new AttemptLogPruning(oldest, new AttemptLogProperties(true, RETENTION, batchSize, pause, Duration
                .ofHours(1)), meters, Clock.fixed(now, ZoneOffset.UTC));
    }

    private void attempt(Instant at) {
        store.recordAttempt(connectionId, 1, new AttemptRecord(at, AttemptOutcome.REFRESHED, 200, null, Duration
                .ofMillis(120), "test-worker"));
    }

    private List<Instant> attemptTimes() {
        return jdbc.sql("SELECT attempted_at FROM refresh_attempt WHERE connection_id = :id ORDER BY id")
                .param("id", connectionId)
                .query((rs, n) -> rs.getTimestamp("attempted_at").toInstant())
                .list();
    }
}
