package dev.tokenrefresher.scheduler.deadletter;

import dev.tokenrefresher.common.database.DatabaseOutage;
import dev.tokenrefresher.common.handoff.StoreFailures;
import dev.tokenrefresher.common.messaging.DeadLetter;
import dev.tokenrefresher.common.messaging.DeadLetterHeaders;
import dev.tokenrefresher.common.messaging.MalformedMessageException;
import dev.tokenrefresher.common.messaging.MessagingProperties;
import dev.tokenrefresher.common.messaging.RefreshMessageCodec;
import dev.tokenrefresher.common.messaging.RefresherTopology;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.AcknowledgeMode;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Moves dead letters from {@code refresher.dead} into the {@code dead_letter} table, where operators list, filter and
 * replay them without consuming anything. The queue is the transport; the table is the record. A dead letter is
 * acknowledged only after its row committed, or after it was moved, confirmed, to {@code {prefix}.unarchived}.
 *
 * <p>Besides the workers' dead letters, which carry {@link DeadLetterHeaders}, the queue receives what a work queue
 * dead-lettered by itself (a message over the delivery limit): those get the broker's reason from {@code x-death}.
 *
 * <p>What can go wrong, and what happens then:
 * <ul>
 * <li>PostgreSQL is unavailable: the archive holds the letter and tries again after a bounded exponential back-off
 * ({@link DeadLetterProperties}), for as long as it takes. It never requeues it for that: a quorum queue counts every
 * requeue as a delivery, and a requeue at once would spin through the queue and burn the letters' delivery limit. The
 * other letters wait in the queue (or, a few, unacknowledged in this consumer's prefetch), uncounted.
 * <li>A field is longer than its column: cut to fit, the row flagged {@code truncated} ({@link ArchivedFields}).
 * <li>The database refuses this letter's row (a value or a constraint it cannot take): it goes to
 * {@code {prefix}.unarchived}, whole, with the SQLState in the header {@value #ARCHIVE_ERROR}; it is not tried again.
 * <li>The database refuses every row (a missing table, no permission, a read-only standby): that is not the letter's
 * fault, so it is held and tried again as in an outage, rather than every letter being moved aside.
 * </ul>
 */
@Component
class DeadLetterArchive implements SmartLifecycle {

    /** On a letter moved to the unarchived queue: why the database refused it (SQLState, or the exception's class). */
    static final String ARCHIVE_ERROR = "refresher-archive-error";
    /** On a letter moved to the unarchived queue: the failure's exception class and SQLState, never its message. */
    static final String ARCHIVE_FAILURE = "refresher-archive-failure";
    /** On a letter moved to the unarchived queue: when. */
    static final String ARCHIVE_FAILED_AT = "refresher-archive-failed-at";
    /**
     * Letters fetched ahead of the one being archived. Small: while the database is down these wait unacknowledged,
     * and a stop returns them to the queue, which counts a delivery for each.
     */
    static final int PREFETCH = 10;
    /**
     * SQLState classes that mean "this row", not "the database": data exceptions (22: a value it cannot take, such as a
     * NUL character in text), integrity constraints (23), an exception raised by a trigger or function (P0), a row over
     * a program limit (54).
     */
    private static final Set<String> LETTER_SQL_STATE_CLASSES = Set.of("22", "23", "P0", "54");

    private static final Logger log = LoggerFactory.getLogger(DeadLetterArchive.class);

    private final SimpleMessageListenerContainer container;
    private final DeadLetterRecords records;
    private final RefreshMessageCodec codec;
    private final RefresherTopology topology;
    private final RabbitTemplate rabbit;
    private final MessagingProperties messaging;
    private final DeadLetterProperties properties;
    private final Clock clock;
    private final Object pause = new Object();
    private volatile boolean stopping;
    private final AtomicInteger waiting = new AtomicInteger();
    private final Counter archivedWhole;
    private final Counter archivedTruncated;
    private final Counter unarchived;
    private final Counter redelivered;
    private final Counter retriesUnavailable;
    private final Counter retriesRefusingAll;

    DeadLetterArchive(CachingConnectionFactory connectionFactory, RefresherTopology topology,
            DeadLetterRecords records, RefreshMessageCodec codec, MessagingProperties messaging,
            DeadLetterProperties properties, MeterRegistry meters, Clock clock) {
        this.records = records;
        this.codec = codec;
        this.topology = topology;
        this.messaging = messaging;
        this.properties = properties;
        this.clock = clock;
        this.rabbit = new RabbitTemplate(connectionFactory);
        rabbit.setMandatory(true);
        this.archivedWhole = meters.counter("refresher.dead_letters.archived", "truncated", "false");
        this.archivedTruncated = meters.counter("refresher.dead_letters.archived", "truncated", "true");
        this.unarchived = meters.counter("refresher.dead_letters.unarchived");
        this.redelivered = meters.counter("refresher.dead_letters.redelivered");
        this.retriesUnavailable = meters.counter("refresher.dead_letters.archive_retries", "cause",
                "database_unavailable");
        this.retriesRefusingAll = meters.counter("refresher.dead_letters.archive_retries", "cause",
                "database_error");
        meters.gauge("refresher.dead_letters.archive_waiting", waiting);
        this.container = new SimpleMessageListenerContainer(connectionFactory);
        container.setQueueNames(topology.deadLetterQueue());
        container.setAcknowledgeMode(AcknowledgeMode.AUTO);
        // only a stop while holding a letter, or a failed move aside, gets here: the letter goes back, counted
        container.setDefaultRequeueRejected(true);
        container.setPrefetchCount(PREFETCH);
        container.setMessageListener(this::archive);
        container.setBeanName("dead-letter-archive");
        container.afterPropertiesSet();
    }

    void archive(Message message) {
        if (message.getMessageProperties().isRedelivered()) {
            redelivered.increment();
        }
        ArchivedFields.Fitted fitted;
        try {
            fitted = ArchivedFields.fit(read(message));
        } catch (RuntimeException e) {
            // our reading of these headers failed: trying again reads them the same way
            moveAside(message, e);
            return;
        }
        Duration backoff = properties.archiveInitialBackoff();
        for (int attempt = 1;; attempt++) {
            try {
                OptionalLong archived = records.insert(fitted.letter(), fitted.truncated(), clock.instant());
                DeadLetter letter = fitted.letter();
                if (archived.isEmpty()) {
                    log.info("dead letter for connection {} ({}) is archived already: the relay's copy, skipped",
                            letter.connectionId(), letter.reason());
                    return;
                }
                long id = archived.getAsLong();
                (fitted.truncated() ? archivedTruncated : archivedWhole).increment();
                log.info("dead letter {} archived: reason={} provider={} connection={}{}{}", id, letter.reason(),
                        letter.provider(), letter.connectionId(), fitted.truncated() ? " (truncated to fit)" : "",
                        attempt > 1 ? " after " + attempt + " tries" : "");
                return;
            } catch (RuntimeException e) {
                if (isTheLetters(e)) {
                    moveAside(message, e);
                    return;
                }
                boolean outage = DatabaseOutage.isOutage(e);
                (outage ? retriesUnavailable : retriesRefusingAll).increment();
                log.warn("dead-letter archive: {} ({}); holding letter {} (not requeued) and trying again in {} "
                        + "(try {})", outage ? "the database is unavailable" : "the database refuses every letter",
                        StoreFailures.describe(e), fitted.letter().messageId(), backoff, attempt);
                waitFor(backoff, fitted.letter().messageId());
                backoff = properties.nextBackoff(backoff);
            }
        }
    }

    /** Whether a failure is this letter's own (trying again fails the same way), not the database's. */
    static boolean isTheLetters(RuntimeException failure) {
        if (DatabaseOutage.isOutage(failure)) {
            return false;
        }
        String sqlState = StoreFailures.sqlState(failure);
        // no SQLState: not the database's answer but our handling of this letter's values
        return sqlState == null || sqlState.length() < 2 || LETTER_SQL_STATE_CLASSES.contains(sqlState.substring(0,
                2));
    }

    /** Waits without a thread spinning and without giving the letter back; a stop ends the wait. */
    private void waitFor(Duration backoff, String messageId) {
        long deadline = System.nanoTime() + backoff.toNanos();
        waiting.incrementAndGet();
        try {
            synchronized (pause) {
                for (long left = backoff.toNanos(); left > 0 && !stopping; left = deadline - System.nanoTime()) {
                    TimeUnit.NANOSECONDS.timedWait(pause, left);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ArchiveStoppedException(messageId);
        } finally {
            waiting.decrementAndGet();
        }
        if (stopping) {
            throw new ArchiveStoppedException(messageId);
        }
    }

    /**
     * Moves a letter the database refuses to the unarchived queue, whole (body, message id, every header), with why,
     * and waits for the broker's confirm before the caller acknowledges the original.
     */
    private void moveAside(Message message, RuntimeException failure) {
        MessageProperties original = message.getMessageProperties();
        String messageId = original.getMessageId();
        MessageProperties copy = new MessageProperties();
        original.getHeaders().forEach((name, value) -> {
            if (!"x-delivery-count".equals(name)) {
                copy.setHeader(name, value);
            }
        });
        copy.setMessageId(messageId);
        copy.setContentType(original.getContentType());
        copy.setContentEncoding(original.getContentEncoding());
        copy.setCorrelationId(original.getCorrelationId());
        copy.setTimestamp(original.getTimestamp());
        copy.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        copy.setHeader(ARCHIVE_ERROR, StoreFailures.code(failure));
        copy.setHeader(ARCHIVE_FAILURE, StoreFailures.describe(failure));
        copy.setHeader(ARCHIVE_FAILED_AT, clock.instant().toString());
        CorrelationData correlation = new CorrelationData();
        rabbit.send(topology.unarchivedExchange(), "", new Message(message.getBody(), copy), correlation);
        try {
            CorrelationData.Confirm confirm = correlation.getFuture().get(messaging.confirmTimeout().toMillis(),
                    TimeUnit.MILLISECONDS);
            if (!confirm.ack() || correlation.getReturned() != null) {
                throw new UnarchivableLetterException(messageId, "the broker did not accept it", failure);
            }
        } catch (TimeoutException | ExecutionException e) {
            throw new UnarchivableLetterException(messageId, "no confirm within " + messaging.confirmTimeout(),
                    failure);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnarchivableLetterException(messageId, "interrupted", failure);
        }
        unarchived.increment();
        log.error("dead letter {} cannot be archived ({}): moved to {} for an operator",
                ArchivedFields.truncate(messageId, ArchivedFields.MESSAGE_ID_CHARS), StoreFailures.describe(failure),
                topology.unarchivedQueue());
    }

    private DeadLetter read(Message message) {
        Map<String, Object> headers = message.getMessageProperties().getHeaders();
        String messageId = message.getMessageProperties().getMessageId();
        byte[] body = message.getBody() == null ? new byte[0] : message.getBody();
        String reason = text(headers.get(DeadLetterHeaders.REASON));
        UUID connectionId = uuid(text(headers.get(DeadLetterHeaders.CONNECTION_ID)));
        String provider = text(headers.get(DeadLetterHeaders.PROVIDER));
        if (reason == null) {
            // Dead-lettered by the broker itself, e.g. over a quorum queue's delivery limit.
            reason = firstNonNull(text(headers.get("x-first-death-reason")), "unknown");
            String queue = text(headers.get("x-first-death-queue"));
            provider = provider != null ? provider : providerOf(queue);
            connectionId = connectionId != null ? connectionId : connectionIdOf(message.getBody(), messageId);
        }
        Instant now = clock.instant();
        return new DeadLetter(body, messageId, reason, text(headers.get(DeadLetterHeaders.ERROR_CODE)),
                text(headers.get(DeadLetterHeaders.DETAIL)), provider, connectionId,
                number(headers.get(DeadLetterHeaders.ATTEMPTS), 0), number(headers.get(DeadLetterHeaders.HTTP_STATUS),
                        null),
                instant(headers.get(DeadLetterHeaders.FIRST_FAILURE_AT)),
                firstNonNull(instant(headers.get(DeadLetterHeaders.LAST_FAILURE_AT)), now),
                text(headers.get(DeadLetterHeaders.WORKER)));
    }

    private UUID connectionIdOf(byte[] body, String messageId) {
        try {
            return codec.decode(body, messageId).connectionId();
        } catch (MalformedMessageException e) {
            return null;
        }
    }

    private static String providerOf(String queue) {
        int at = queue == null ? -1 : queue.lastIndexOf(".refresh.");
        return at < 0 ? null : queue.substring(at + ".refresh.".length());
    }

    private static String text(Object value) {
        return value == null ? null : value.toString();
    }

    private static UUID uuid(String value) {
        try {
            return value == null ? null : UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static Integer number(Object value, Integer fallback) {
        if (value instanceof Number n) {
            return n.intValue();
        }
        try {
            return value == null ? fallback : Integer.valueOf(value.toString());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static Instant instant(Object value) {
        try {
            return value == null ? null : Instant.parse(value.toString());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static <T> T firstNonNull(T value, T fallback) {
        return value != null ? value : fallback;
    }

    @Override
    public void start() {
        stopping = false;
        container.start();
    }

    @Override
    public void stop() {
        synchronized (pause) {
            stopping = true;
            pause.notifyAll();
        }
        container.stop();
    }

    @Override
    public boolean isRunning() {
        return container.isRunning();
    }

    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 100;
    }
}
