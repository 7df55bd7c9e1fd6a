package dev.tokenrefresher.scheduler.keys;

import static dev.tokenrefresher.common.test.NewConnectionBuilder.aConnection;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenrefresher.common.connection.ConnectionStore;
import dev.tokenrefresher.common.connection.KeyRewrites;
import dev.tokenrefresher.common.connection.NewConnection;
import dev.tokenrefresher.common.crypto.TokenCipher;
import dev.tokenrefresher.common.keys.KeyRewriter;
import dev.tokenrefresher.common.test.TestKeys;
import dev.tokenrefresher.scheduler.SchedulerApiTestBase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;

/**
 * The re-encryption job's passes and {@code GET /api/keys} on the real PostgreSQL. The scheduler's own job is switched
 * off in these tests ({@link SchedulerApiTestBase}); each test drives batches of its own job instances, as two
 * schedulers, or one restarted, would run them.
 */
class KeysApiTest extends SchedulerApiTestBase {

    private static final int SMALL_BATCH = 2;

    @Autowired
    ConnectionStore store;
    @Autowired
    KeyRewriter rewriter;
    @Autowired
    KeyRewrites rewrites;
    @Autowired
    RewriteProgress progress;
    @Autowired
    TokenCipher cipher;
    @Autowired
    UndecryptableLetters letters;
    @Autowired
    TransactionTemplate transactions;
    @Autowired
    JdbcClient jdbc;

    @BeforeEach
    void noPassYet() {
        jdbc.sql("DELETE FROM key_rewrite_progress").update();
    }

    @Test
    void aPassRewritesTheEarlierFormatInBatchesGoesOnWhereAStoppedSchedulerLeftOffAndTheApiReportsIt() {
        List<UUID> legacy = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            legacy.add(registerInLegacyFormat());
        }
        JsonNode before = get("/api/keys", ADMIN_KEY).body();
        assertThat(before.get("rowsOutsidePrimary").asLong()).isGreaterThanOrEqualTo(3);

        assertThat(job().runBatch()).isEqualTo(ReencryptionJob.Step.CONTINUED);
        RewriteProgress.Pass afterOne = progress.read().orElseThrow();
        assertThat(afterOne.rewritten()).isEqualTo(SMALL_BATCH);
        assertThat(afterOne.completedAt()).isNull();

        // the scheduler stopped; another (or the same, restarted) goes on from the committed cursor
        ReencryptionJob restarted = job();
        ReencryptionJob.Step step;
        int batches = 0;
        do {
            step = restarted.runBatch();
            batches++;
        } while (step == ReencryptionJob.Step.CONTINUED && batches < 10);

        assertThat(step).isEqualTo(ReencryptionJob.Step.COMPLETED);
        RewriteProgress.Pass done = progress.read().orElseThrow();
        assertThat(done.rewritten()).isEqualTo(3);
        assertThat(done.completedAt()).isNotNull();
        assertThat(done.rowsOutside()).isZero();
        assertThat(done.target()).isEqualTo("2/test");
        for (UUID id : legacy) {
            byte[] refresh = jdbc.sql("SELECT refresh_token_enc FROM connection WHERE id = :id").param("id", id)
                    .query(byte[].class).single();
            assertThat(TokenCipher.formatOf(refresh)).isEqualTo(TokenCipher.CURRENT_FORMAT);
        }
        Response status = get("/api/keys", ADMIN_KEY);
        assertThat(status.status()).isEqualTo(200);
        assertThat(status.body().get("primaryKeyId").asString()).isEqualTo("test");
        assertThat(status.body().get("rowsOutsidePrimary").asLong()).isZero();
        assertThat(status.body().get("usage")).allSatisfy(use -> {
            assertThat(use.get("keyId").asString()).isEqualTo("test");
            assertThat(use.get("format").asInt()).isEqualTo(2);
            assertThat(use.get("configured").asBoolean()).isTrue();
        });
        assertThat(status.body().path("job").path("rewritten").asLong()).isEqualTo(3);
        assertThat(get("/api/keys", READER_KEY).status()).as("admin only").isEqualTo(403);
    }

    @Test
    void whileOneSchedulersBatchHoldsTheProgressAnotherLeavesItsTurn() {
        registerInLegacyFormat();
        ReencryptionJob other = job();
        // the progress row exists (a first batch inserts it; a second scheduler's insert would wait for that commit)
        transactions.executeWithoutResult(status -> progress.lockForBatch(cipher.currentHeader(), Instant.now()));

        ReencryptionJob.Step otherStep = transactions.execute(status -> {
            assertThat(progress.lockForBatch(cipher.currentHeader(), Instant.now())).isPresent();
            return CompletableFuture.supplyAsync(other::runBatch).join();
        });

        assertThat(otherStep).isEqualTo(ReencryptionJob.Step.BUSY);
        assertThat(other.runBatch()).as("its turn, once the first batch committed").isEqualTo(
                ReencryptionJob.Step.CONTINUED);
    }

    private ReencryptionJob job() {
        return new ReencryptionJob(rewriter, rewrites, progress, cipher, letters, transactions, new KeysProperties(
                true, SMALL_BATCH, Duration.ZERO, Duration.ZERO, Duration.ofMinutes(10)), Clock.systemUTC(),
                new SimpleMeterRegistry());
    }

    /** A connection as a build before issue 20 stored it: format 1 under the test key. */
    private UUID registerInLegacyFormat() {
        NewConnection connection = aConnection().at(Instant.now().minusSeconds(1)).build();
        UUID id = store.register(connection, Instant.now().minusSeconds(1)).id();
        TestKeys.storeInLegacyFormat(jdbc, id, connection);
        return id;
    }
}
