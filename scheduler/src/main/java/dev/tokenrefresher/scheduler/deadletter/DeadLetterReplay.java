package dev.tokenrefresher.scheduler.deadletter;

import dev.tokenrefresher.common.connection.ConnectionStore;
import dev.tokenrefresher.common.connection.Rescheduled;
import dev.tokenrefresher.common.messaging.PublishFailedException;
import dev.tokenrefresher.common.messaging.RefreshMessage;
import dev.tokenrefresher.common.messaging.RefreshPublisher;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Replays dead letters: each one's connection gets a fresh fence and a due-now message. A dead letter is replayed once;
 * asking again reports it as already replayed and causes no second refresh.
 *
 * <p>A replay by filter streams: it reads the pending letters a page at a time ({@code id} after the last one read,
 * a keyset, not an offset), marks and rearms one page in one short transaction, publishes that page's messages, and
 * forgets the page. It holds one page, whether it replays ten letters or ten million, and logs its progress every
 * {@code replay-progress-interval}. A failure stops it between pages: what was committed stays replayed (and
 * published), and running it again goes on with the rest.
 */
@Service
public class DeadLetterReplay {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterReplay.class);
    /**
     * How many replayed and skipped letters an answer lists at most (the counts are always complete): a replay by filter
     * of a million letters must not build a million-entry answer. As many as a replay by ids may name.
     */
    static final int LISTED_MAX = 10_000;

    private final DeadLetterRecords records;
    private final ConnectionStore connections;
    private final RefreshPublisher publisher;
    private final TransactionTemplate transactions;
    private final DeadLetterProperties properties;
    private final Clock clock;

    DeadLetterReplay(DeadLetterRecords records, ConnectionStore connections, RefreshPublisher publisher,
            TransactionTemplate transactions, DeadLetterProperties properties, Clock clock) {
        this.properties = properties;
        this.records = records;
        this.connections = connections;
        this.publisher = publisher;
        this.transactions = transactions;
        this.clock = clock;
    }

    /**
     * @param replayed dead letters whose connection got a due-now message
     * @param skipped dead letters left alone, with why: {@code already_replayed}, {@code no_connection} (malformed),
     *            {@code connection_busy_or_gone} (leased right now, disconnected or deleted)
     * @param notFound ids asked for that name no dead letter (never existed, or purged), in the order asked; always
     *            empty for a replay by filter. Listed so that a mistyped id is not mistaken for an empty success.
     * @param replayedCount how many were replayed; {@code replayed} lists the first {@value #LISTED_MAX} of them
     * @param skippedCount how many were skipped; {@code skipped} lists the first {@value #LISTED_MAX} of them
     */
    public record Result(List<Replayed> replayed, List<Skipped> skipped, List<Long> notFound, long replayedCount,
            long skippedCount) {
    }

    public record Replayed(long deadLetterId, UUID connectionId, long fence) {
    }

    public record Skipped(long deadLetterId, String why) {
    }

    public Result replay(List<Long> ids) {
        List<DeadLetterRecord> found = records.findByIds(ids);
        Set<Long> foundIds = found.stream().map(DeadLetterRecord::id).collect(Collectors.toSet());
        List<Long> notFound = ids.stream().distinct().filter(id -> !foundIds.contains(id)).toList();
        Page page = replayPage(found);
        log.info("replayed {} dead letter(s), {} skipped, {} not found", page.replayed().size(), page.skipped()
                .size(), notFound.size());
        return new Result(page.replayed(), page.skipped(), notFound, page.replayed().size(), page.skipped().size());
    }

    public Result replay(DeadLetterFilter filter) {
        DeadLetterFilter pending = new DeadLetterFilter(filter.reason(), filter.provider(), filter.connectionId(),
                filter.since(), false);
        int pageSize = properties.replayPageSize();
        List<Replayed> replayed = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        long replayedCount = 0;
        long skippedCount = 0;
        long pages = 0;
        long after = 0;
        long started = System.nanoTime();
        long nextProgress = started + properties.replayProgressInterval().toNanos();
        List<DeadLetterRecord> letters;
        do {
            letters = records.find(pending, after, pageSize);
            if (letters.isEmpty()) {
                break;
            }
            Page page = replayPage(letters);
            pages++;
            replayedCount += page.replayed().size();
            skippedCount += page.skipped().size();
            addUpTo(replayed, page.replayed());
            addUpTo(skipped, page.skipped());
            after = letters.getLast().id();
            if (System.nanoTime() - nextProgress >= 0) {
                log.info("replay by filter ({}) going on: {} replayed, {} skipped in {} page(s) of {} so far, up to "
                        + "dead letter {}, {} s", scope(filter), replayedCount, skippedCount, pages, pageSize, after,
                        Duration.ofNanos(System.nanoTime() - started).toSeconds());
                nextProgress = System.nanoTime() + properties.replayProgressInterval().toNanos();
            }
        } while (letters.size() == pageSize);
        log.info("replayed {} dead letter(s), {} skipped, by filter ({}) in {} page(s), {} ms", replayedCount,
                skippedCount, scope(filter), pages, Duration.ofNanos(System.nanoTime() - started).toMillis());
        return new Result(replayed, skipped, List.of(), replayedCount, skippedCount);
    }

    private static String scope(DeadLetterFilter filter) {
        return "reason=" + filter.reason() + " provider=" + filter.provider() + " connection=" + filter.connectionId()
                + " since=" + filter.since();
    }

    private static <T> void addUpTo(List<T> listed, List<T> more) {
        listed.addAll(more.subList(0, Math.min(more.size(), Math.max(0, LISTED_MAX - listed.size()))));
    }

    private record Page(List<Replayed> replayed, List<Skipped> skipped) {
    }

    /**
     * Marks, rearms (one transaction) and publishes one page. A connection named by several letters of the page is
     * rearmed once; named again in a later page, it is rearmed again, and the first message becomes stale (the fence).
     */
    private Page replayPage(List<DeadLetterRecord> letters) {
        Instant now = clock.instant();
        List<Replayed> replayed = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        List<Rescheduled> toPublish = new ArrayList<>();
        transactions.executeWithoutResult(status -> {
            Set<Long> fresh = new LinkedHashSet<>(records.markReplayed(letters.stream().map(DeadLetterRecord::id)
                    .toList(), now));
            Set<UUID> rearmed = new LinkedHashSet<>();
            for (DeadLetterRecord letter : letters) {
                if (!fresh.contains(letter.id())) {
                    skipped.add(new Skipped(letter.id(), "already_replayed"));
                } else if (letter.connectionId() == null) {
                    skipped.add(new Skipped(letter.id(), "no_connection"));
                } else if (!rearmed.add(letter.connectionId())) {
                    // Several dead letters of one connection: one restart of its chain serves them all.
                    replayed.add(new Replayed(letter.id(), letter.connectionId(), toPublish.stream()
                            .filter(r -> r.connectionId().equals(letter.connectionId())).findFirst()
                            .map(Rescheduled::fence).orElse(0L)));
                } else {
                    Optional<Rescheduled> rearm = connections.rearm(letter.connectionId(), now);
                    if (rearm.isPresent()) {
                        toPublish.add(rearm.get());
                        replayed.add(new Replayed(letter.id(), letter.connectionId(), rearm.get().fence()));
                    } else {
                        skipped.add(new Skipped(letter.id(), "connection_busy_or_gone"));
                    }
                }
            }
        });
        List<PublishFailedException> failures = publisher.publishAll(toPublish.stream()
                .map(r -> new RefreshPublisher.Outgoing(r.provider(), new RefreshMessage(r.connectionId(), r.fence(),
                        now, 0)))
                .toList(), now);
        failures.forEach(failure -> log.warn("{}; the reconciliation sweep will enqueue it", failure.getMessage()));
        return new Page(replayed, skipped);
    }
}
