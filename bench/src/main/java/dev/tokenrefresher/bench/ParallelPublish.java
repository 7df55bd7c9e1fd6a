package dev.tokenrefresher.bench;

import dev.tokenrefresher.common.messaging.PublishFailedException;
import dev.tokenrefresher.common.messaging.RefreshPublisher;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Publishes many messages in confirmed batches, {@value #PUBLISHERS} batches in flight at a time: one publisher waiting
 * for each batch's confirms in turn scheduled about 5,000 per second here, which made the footprint's 1,000,000 and
 * each catch-up's 100,000 take most of their time publishing. A batch's delays count from its own publish.
 */
final class ParallelPublish {

    static final int BATCH = 1_000;
    static final int PUBLISHERS = 4;

    private ParallelPublish() {
    }

    /**
     * @param published told the running total after each batch, from the publishing threads
     * @throws PublishFailedException the first batch's failure, once every publisher stopped
     */
    static void publish(RefreshPublisher publisher, List<RefreshPublisher.Outgoing> messages, IntConsumer published)
            throws InterruptedException {
        AtomicInteger nextBatch = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        try (ExecutorService publishers = Executors.newFixedThreadPool(PUBLISHERS)) {
            List<Future<?>> running = new ArrayList<>();
            for (int p = 0; p < PUBLISHERS; p++) {
                running.add(publishers.submit(() -> {
                    int from;
                    while ((from = nextBatch.getAndAdd(BATCH)) < messages.size()) {
                        List<RefreshPublisher.Outgoing> batch = messages.subList(from, Math.min(messages.size(), from
                                + BATCH));
                        List<PublishFailedException> failures = publisher.publishAll(batch, Instant.now());
                        if (!failures.isEmpty()) {
                            throw failures.getFirst();
                        }
                        published.accept(done.addAndGet(batch.size()));
                    }
                    return null;
                }));
            }
            for (Future<?> publishing : running) {
                publishing.get();
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw new IllegalStateException(e.getCause());
        }
    }
}
