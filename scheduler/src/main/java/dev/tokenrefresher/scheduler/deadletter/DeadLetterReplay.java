package dev.tokenrefresher.scheduler.deadletter;

import dev.tokenrefresher.common.connection.ConnectionStore;
import dev.tokenrefresher.common.connection.Rescheduled;
import dev.tokenrefresher.common.messaging.PublishFailedException;
import dev.tokenrefresher.common.messaging.RefreshMessage;
import dev.tokenrefresher.common.messaging.RefreshPublisher;
import java.time.Clock;
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
 */
@Service
public class DeadLetterReplay {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterReplay.class);
    private static final int PAGE = 500;

    private final DeadLetterRecords records;
    private final ConnectionStore connections;
    private final RefreshPublisher publisher;
    private final TransactionTemplate transactions;
    private final Clock clock;

    DeadLetterReplay(DeadLetterRecords records, ConnectionStore connections, RefreshPublisher publisher,
            TransactionTemplate transactions, Clock clock) {
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
     */
    public record Result(List<Replayed> replayed, List<Skipped> skipped, List<Long> notFound) {
    }

    public record Replayed(long deadLetterId, UUID connectionId, long fence) {
    }

    public record Skipped(long deadLetterId, String why) {
    }

    public Result replay(List<Long> ids) {
        List<DeadLetterRecord> found = records.findByIds(ids);
        Set<Long> foundIds = found.stream().map(DeadLetterRecord::id).collect(Collectors.toSet());
        List<Long> notFound = ids.stream().distinct().filter(id -> !foundIds.contains(id)).toList();
        return replayLetters(found, notFound);
    }

    public Result replay(DeadLetterFilter filter) {
        List<DeadLetterRecord> selected = new ArrayList<>();
        long after = 0;
        List<DeadLetterRecord> page;
        do {
            page = records.find(new DeadLetterFilter(filter.reason(), filter.provider(), filter.connectionId(),
                    filter.since(), false), after, PAGE);
            selected.addAll(page);
            after = page.isEmpty() ? after : page.getLast().id();
        } while (page.size() == PAGE);
        return replayLetters(selected, List.of());
    }

    private Result replayLetters(List<DeadLetterRecord> letters, List<Long> notFound) {
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
        log.info("replayed {} dead letter(s), {} skipped, {} not found", replayed.size(), skipped.size(), notFound
                .size());
        return new Result(replayed, skipped, notFound);
    }
}
