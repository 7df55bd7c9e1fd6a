package dev.tokenrefresher.scheduler.deadletter;

import dev.tokenrefresher.common.messaging.DeadLetter;
import dev.tokenrefresher.common.messaging.DeadLetterHeaders;
import dev.tokenrefresher.common.messaging.MalformedMessageException;
import dev.tokenrefresher.common.messaging.RefreshMessageCodec;
import dev.tokenrefresher.common.messaging.RefresherTopology;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.AcknowledgeMode;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Moves dead letters from {@code refresher.dead} into the {@code dead_letter} table, where operators list, filter and
 * replay them without consuming anything. The queue is the transport; the table is the record. A dead letter is
 * acknowledged only after its row committed.
 *
 * <p>Besides the workers' dead letters, which carry {@link DeadLetterHeaders}, the queue receives what a work queue
 * dead-lettered by itself (a message over the delivery limit): those get the broker's reason from {@code x-death}.
 */
@Component
class DeadLetterArchive implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterArchive.class);
    private static final int MAX_BODY_BYTES = 64 * 1024;

    private final SimpleMessageListenerContainer container;
    private final DeadLetterRecords records;
    private final RefreshMessageCodec codec;
    private final Clock clock;

    DeadLetterArchive(ConnectionFactory connectionFactory, RefresherTopology topology, DeadLetterRecords records,
            RefreshMessageCodec codec, Clock clock) {
        this.records = records;
        this.codec = codec;
        this.clock = clock;
        this.container = new SimpleMessageListenerContainer(connectionFactory);
        container.setQueueNames(topology.deadLetterQueue());
        container.setAcknowledgeMode(AcknowledgeMode.AUTO);
        container.setDefaultRequeueRejected(true);
        container.setMessageListener(this::archive);
        container.setBeanName("dead-letter-archive");
        container.afterPropertiesSet();
    }

    void archive(Message message) {
        DeadLetter letter = read(message);
        long id = records.insert(letter, clock.instant());
        log.info("dead letter {} archived: reason={} provider={} connection={}", id, letter.reason(),
                letter.provider(), letter.connectionId());
    }

    private DeadLetter read(Message message) {
        Map<String, Object> headers = message.getMessageProperties().getHeaders();
        String messageId = message.getMessageProperties().getMessageId();
        byte[] body = message.getBody() == null ? new byte[0] : message.getBody();
        if (body.length > MAX_BODY_BYTES) {
            body = Arrays.copyOf(body, MAX_BODY_BYTES);
        }
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
        container.start();
    }

    @Override
    public void stop() {
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
