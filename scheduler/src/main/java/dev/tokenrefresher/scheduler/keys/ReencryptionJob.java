package dev.tokenrefresher.scheduler.keys;

import dev.tokenrefresher.common.connection.EncryptedValues;
import dev.tokenrefresher.common.connection.KeyRewrites;
import dev.tokenrefresher.common.crypto.TokenCipher;
import dev.tokenrefresher.common.keys.KeyRewriter;
import dev.tokenrefresher.common.keys.KeyRewriter.BatchOutcome;
import dev.tokenrefresher.common.keys.UndecryptableConnections;
import dev.tokenrefresher.common.messaging.DeadLetter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The online re-encryption job (issue 20, point 1): after a key rotation, or an upgrade to the current ciphertext
 * format, it rewrites every connection whose values are not all under the primary key, so that the old key can be
 * removed. Batched and throttled ({@code refresher.keys.*}), resumable (its cursor is in {@code key_rewrite_progress},
 * committed with each batch), safe beside running workers (a row is rewritten only while nobody holds its lease,
 * {@link KeyRewrites#rewrite}), and shared by several schedulers, which take batches in turn.
 *
 * <p>A pass walks the connections in id order and completes when no row after its cursor needs rewriting; rows it had
 * to leave (leased, or changed within the settle time) are met again by the next pass. A row no configured key opens
 * is parked once, with a dead letter, and the pass goes on.
 */
@Component
class ReencryptionJob implements SmartLifecycle {

    /** The first pass starts this long after the scheduler did: its other start-up work goes first. */
    static final Duration FIRST_PASS_DELAY = Duration.ofSeconds(5);

    private static final Logger log = LoggerFactory.getLogger(ReencryptionJob.class);

    private final KeyRewriter rewriter;
    private final KeyRewrites rewrites;
    private final RewriteProgress progress;
    private final TokenCipher cipher;
    private final UndecryptableLetters letters;
    private final TransactionTemplate transactions;
    private final KeysProperties properties;
    private final Clock clock;
    private final Counter rewrittenRows;
    private final Counter undecryptableRows;
    private final AtomicLong rowsOutside = new AtomicLong(-1);
    private ScheduledExecutorService executor;
    private volatile boolean running;

    ReencryptionJob(KeyRewriter rewriter, KeyRewrites rewrites, RewriteProgress progress, TokenCipher cipher,
            UndecryptableLetters letters, TransactionTemplate transactions, KeysProperties properties, Clock clock,
            MeterRegistry registry) {
        this.rewriter = rewriter;
        this.rewrites = rewrites;
        this.progress = progress;
        this.cipher = cipher;
        this.letters = letters;
        this.transactions = transactions;
        this.properties = properties;
        this.clock = clock;
        this.rewrittenRows = Counter.builder("refresher.keys.rewritten")
                .description("Connections whose encrypted values the re-encryption job moved to the primary key")
                .register(registry);
        this.undecryptableRows = Counter.builder("refresher.keys.undecryptable")
                .description("Connections the re-encryption job found undecryptable (parked if ACTIVE)")
                .register(registry);
        Gauge.builder("refresher.keys.rows_outside_primary", rowsOutside, value -> value.get() < 0
                ? Double.NaN
                : value.get())
                .description("Connections holding a value not under the primary key and current format, when the "
                        + "re-encryption job's last pass completed; 0 means the old keys may be removed")
                .register(registry);
    }

    /** What a batch found. */
    enum Step {
        /** Rows were rewritten or left; more may follow. */
        CONTINUED,
        /** No row after the cursor needs rewriting: the pass is complete. */
        COMPLETED,
        /** Another scheduler's batch holds the progress. */
        BUSY
    }

    @Override
    public void start() {
        running = true;
        if (!properties.reencryption()) {
            log.info("re-encryption job disabled on this scheduler (refresher.keys.reencryption=false)");
            return;
        }
        executor = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("key-rewrite").daemon()
                .factory());
        executor.scheduleWithFixedDelay(this::runPass, FIRST_PASS_DELAY.toMillis(), properties.interval().toMillis(),
                TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        running = false;
        if (executor != null) {
            // a batch is one transaction: interrupted, it rolls back and the next pass resumes at its cursor
            executor.shutdownNow();
            try {
                executor.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Runs batches until the pass completes, another scheduler holds the progress, or the scheduler stops. */
    void runPass() {
        try {
            while (running && runBatch() == Step.CONTINUED) {
                Thread.sleep(properties.batchPause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // PostgreSQL away, most likely: the cursor is where the last committed batch left it
            log.warn("re-encryption pass interrupted ({}); it resumes from its last batch in {}", e.toString(),
                    properties.interval());
        }
    }

    /** One batch in one transaction: lock the progress, rewrite the next rows, move the cursor. */
    Step runBatch() {
        byte[] header = cipher.currentHeader();
        return transactions.execute(status -> {
            Instant now = clock.instant();
            Optional<RewriteProgress.Pass> locked = progress.lockForBatch(header, now);
            if (locked.isEmpty()) {
                return Step.BUSY;
            }
            RewriteProgress.Pass pass = locked.get();
            List<EncryptedValues> rows = rewriter.next(pass.cursor(), properties.batchSize());
            if (rows.isEmpty()) {
                long outside = rewrites.rowsOutside(header);
                progress.complete(outside, now);
                rowsOutside.set(outside);
                if (pass.rewritten() + pass.leftForNextPass() + pass.undecryptable() + outside > 0) {
                    log.info("re-encryption pass to {} complete: {} rows rewritten, {} left for the next pass, {} "
                            + "undecryptable; {} rows still hold a value outside it", pass.target(),
                            pass
                                    .rewritten(),
                            pass.leftForNextPass(), pass.undecryptable(), outside);
                } else {
                    // every pass after the last rotation's: nothing to say at INFO every interval
                    log.debug("re-encryption pass to {} complete: every row is under it", pass.target());
                }
                return Step.COMPLETED;
            }
            BatchOutcome outcome = rewriter.rewrite(rows, properties.settle(), UndecryptableLetters.ACTOR);
            Map<UUID, String> tenants = rows.stream().collect(Collectors.toMap(EncryptedValues::id,
                    EncryptedValues::tenantId));
            for (DeadLetter letter : outcome.letters()) {
                letters.send(letter, tenants.get(letter.connectionId()));
            }
            progress.advance(rows.getLast().id(), outcome.rewritten(), outcome.leftForNextPass(), outcome
                    .undecryptable(), now);
            rewrittenRows.increment(outcome.rewritten());
            undecryptableRows.increment(outcome.undecryptable());
            if (outcome.undecryptable() > 0) {
                log.warn("re-encryption: {} rows of this batch cannot be decrypted ({} parked with reason {})",
                        outcome.undecryptable(), outcome.letters().size(), UndecryptableConnections.REASON);
            }
            return Step.CONTINUED;
        });
    }
}
