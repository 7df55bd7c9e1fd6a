package dev.tokenrefresher.worker.refresh;

import dev.tokenrefresher.common.connection.ClaimRequest;
import dev.tokenrefresher.common.connection.ClaimResult;
import dev.tokenrefresher.common.connection.ConnectionStore;
import dev.tokenrefresher.common.handoff.IssuedTokensRecorder;
import dev.tokenrefresher.common.messaging.DeadLetter;
import dev.tokenrefresher.common.messaging.DeadLetterPublisher;
import dev.tokenrefresher.common.messaging.MalformedMessageException;
import dev.tokenrefresher.common.messaging.RefreshMessage;
import dev.tokenrefresher.common.messaging.RefreshMessageCodec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.amqp.core.Message;
import org.springframework.stereotype.Component;

/**
 * Handles one message from a provider's work queue, from decoding to the point where its outgoing messages are known.
 *
 * <p>Returning normally means: once the outbox's re-delay (if any) is confirmed, the delivery may be acknowledged; the
 * tokens are stored, or a dead letter is confirmed, or the message was found stale. Throwing means "requeue": the
 * broker redelivers, and the quorum queue's delivery limit ends a crash loop.
 */
@Component
class RefreshMessageHandler {

    private static final Logger log = LoggerFactory.getLogger(RefreshMessageHandler.class);

    private final RefreshMessageCodec codec;
    private final GroupedConnectionWrites writes;
    private final DeadLetterPublisher deadLetters;
    private final ProviderRefresh providerRefresh;
    private final RefreshMetrics metrics;
    private final IssuedTokensRecorder recorder;
    private final WorkerProperties properties;
    private final LeaseBudgets leaseBudgets;
    private final Clock clock;
    private final LateStartWarnings lateStarts;
    private final UndecryptableClaims undecryptable;
    private final ConnectionStore store;

    RefreshMessageHandler(RefreshMessageCodec codec, GroupedConnectionWrites writes, DeadLetterPublisher deadLetters,
            ProviderRefresh providerRefresh, RefreshMetrics metrics, IssuedTokensRecorder recorder,
            WorkerProperties properties, LeaseBudgets leaseBudgets, Clock clock, UndecryptableClaims undecryptable,
            ConnectionStore store) {
        this.codec = codec;
        this.store = store;
        this.writes = writes;
        this.deadLetters = deadLetters;
        this.providerRefresh = providerRefresh;
        this.metrics = metrics;
        this.recorder = recorder;
        this.properties = properties;
        this.leaseBudgets = leaseBudgets;
        this.clock = clock;
        this.lateStarts = new LateStartWarnings(properties.lateWarning(), clock);
        this.undecryptable = undecryptable;
    }

    void handle(String provider, Message amqp, RefreshOutbox outbox) {
        String messageId = amqp.getMessageProperties().getMessageId();
        RefreshMessage message;
        try {
            message = codec.decode(amqp.getBody(), messageId);
        } catch (MalformedMessageException e) {
            Instant now = clock.instant();
            deadLetters.publish(new DeadLetter(amqp.getBody(), messageId, "malformed", "malformed", e.getMessage(),
                    provider, null, 0, null, now, now, properties.id()));
            metrics.deadLettered(provider, "malformed");
            log.warn("dead-lettered a malformed message from the {} queue: {}", provider, e.getMessage());
            return;
        }
        // Every log line of this refresh names the connection, provider and fence, as fields in structured logs too.
        try (MDC.MDCCloseable connection = MDC.putCloseable("connectionId", message.connectionId().toString());
                MDC.MDCCloseable providerName = MDC.putCloseable("provider", provider);
                MDC.MDCCloseable fence = MDC.putCloseable("fence", Long.toString(message.fence()))) {
            handleDecoded(provider, amqp, messageId, message, outbox);
        }
    }

    /**
     * A redelivered message one fence behind: its earlier handler recorded the refresh's outcome (which moved the
     * fence) and died, or lost its channel, before the delivery was acknowledged, which comes only after the next
     * message was confirmed. That message may be lost with it: the chain is published again at the due time the row
     * holds, under a new fence, so that it does not wait for the sweep's grace (a reuse-grace provider's window can be
     * shorter). If the next message did go out, the new fence makes it stale.
     */
    private void republish(String provider, RefreshMessage message, long currentFence, Instant now,
            RefreshOutbox outbox) {
        store.republish(message.connectionId(), currentFence, now).ifPresentOrElse(next -> {
            outbox.next(provider, new RefreshMessage(next.connectionId(), next.fence(), next.dueAt(), message
                    .attempt()));
            metrics.dropped(provider, "republished");
            log.info("connection={} fence={}: its message came back after its handler recorded the refresh; the "
                    + "chain is published again (fence {}, due {})", message.connectionId(), currentFence, next.fence(),
                    next.dueAt());
        }, () -> metrics.dropped(provider, "stale_fence"));
    }

    private void handleDecoded(String provider, Message amqp, String messageId, RefreshMessage message,
            RefreshOutbox outbox) {
        Instant now = clock.instant();
        if (message.dueAt().isAfter(now.plus(properties.earlyTolerance()))) {
            // Early: a delay longer than the ladder, or the broker's clock moved. Wait the rest.
            outbox.redelay(provider, message);
            metrics.dropped(provider, "early");
            return;
        }
        if (recorder.isHolding(message.connectionId())) {
            // This process holds tokens the provider issued for it that are not yet stored: the refresh token the row
            // holds is spent. The message comes back once they are stored (or handed off).
            outbox.redelay(provider, new RefreshMessage(message.connectionId(), message.fence(), now.plus(properties
                    .pausedDelay()), message.attempt()));
            metrics.dropped(provider, "unrecorded_tokens");
            return;
        }
        // The lease ends within half the token's life, so a worker dying now leaves it waiting no longer than that.
        ClaimResult claim = writes.claim(new ClaimRequest(message.connectionId(), message.fence(), properties.id(),
                properties.lease(), leaseBudgets.leaseFloor(provider)));
        switch (claim) {
            case ClaimResult.Claimed claimed -> {
                Duration late = Duration.between(message.dueAt(), now);
                metrics.lateness(provider, late);
                if (!now.isBefore(claimed.claim().accessExpiresAt())) {
                    // host apps asking for the token meanwhile had to wait for an on-demand refresh
                    metrics.startedAfterExpiry(provider);
                }
                lateStarts.started(provider, late);
                providerRefresh.refresh(claimed.claim(), message, outbox);
            }
            case ClaimResult.Undecryptable undecryptableClaim -> undecryptable.park(undecryptableClaim, message,
                    outbox);
            case ClaimResult.NotFound notFound -> {
                deadLetters.publish(new DeadLetter(amqp.getBody(), messageId, "unknown_connection",
                        "unknown_connection", "no connection has this id", provider, message.connectionId(),
                        message.attempt(), null, now, now, properties.id()));
                metrics.deadLettered(provider, "unknown_connection");
                log.warn("dead-lettered message {} for unknown connection {}", messageId, message.connectionId());
            }
            case ClaimResult.StaleFence stale -> {
                if (amqp.getMessageProperties().isRedelivered() && stale.currentFence() == message.fence() + 1) {
                    republish(provider, message, stale.currentFence(), now, outbox);
                } else {
                    metrics.dropped(provider, "stale_fence");
                    log.debug("dropped stale message for connection {}: fence {} is now {}", message
                            .connectionId(), message.fence(), stale.currentFence());
                }
            }
            case ClaimResult.NotActive notActive -> {
                metrics.dropped(provider, "not_active");
                log.debug("dropped message for connection {}: it is {}", message.connectionId(),
                        notActive.status());
            }
            case ClaimResult.Leased leased -> {
                // Somebody is refreshing it right now, or crashed while doing so: come back when the lease ends.
                // One second later: the ladder rounds delays down, and a message back before the lease ends would
                // find it leased again, round after round, until it does. (A lease of 16 s or more can still come
                // back up to a sixteenth early, refresher.messaging.ladder-early-fraction: one more short round.)
                // What is left of the lease is the database's answer; this worker's clock only adds it to its now.
                outbox.redelay(provider, new RefreshMessage(message.connectionId(), message.fence(), now.plus(leased
                        .remaining()).plus(RefreshTiming.LADDER_ROUNDING), message.attempt()));
                metrics.dropped(provider, "leased");
                log.debug("connection {} is leased by {} until {}; message re-delayed", message.connectionId(),
                        leased.owner(), leased.leaseUntil());
            }
            case ClaimResult.Quiet quiet -> {
                // A call with this refresh token timed out and the provider may still be serving it: come back once
                // its quiet period, by the database's clock, is over (issue 19, point 2).
                outbox.redelay(provider, new RefreshMessage(message.connectionId(), message.fence(), now.plus(quiet
                        .remaining()).plus(RefreshTiming.LADDER_ROUNDING), message.attempt()));
                metrics.dropped(provider, "quiet_period");
                log.debug("connection {} is quiet after a timed-out call until {}; message re-delayed", message
                        .connectionId(), quiet.quietUntil());
            }
        }
    }
}
