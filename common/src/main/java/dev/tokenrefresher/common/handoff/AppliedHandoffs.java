package dev.tokenrefresher.common.handoff;

import dev.tokenrefresher.common.connection.AttemptOutcome;
import dev.tokenrefresher.common.connection.AttemptRecord;
import dev.tokenrefresher.common.connection.Claim;
import dev.tokenrefresher.common.connection.ConnectionStore;
import dev.tokenrefresher.common.connection.RefreshToStore;
import dev.tokenrefresher.common.connection.Stored;
import dev.tokenrefresher.common.messaging.ConnectionEvent;
import dev.tokenrefresher.common.messaging.ConnectionEventPublisher;
import dev.tokenrefresher.common.messaging.PublishFailedException;
import dev.tokenrefresher.common.messaging.RefreshMessage;
import dev.tokenrefresher.common.messaging.RefreshPublisher;
import dev.tokenrefresher.common.messaging.RefreshPublisher.Outgoing;
import dev.tokenrefresher.common.provider.LateTokenRevocation;
import dev.tokenrefresher.common.provider.ProviderRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What follows a committed drain, for each hand-off it applied: a stored one continues its chain (the next refresh
 * message, the events a worker would have sent); one whose guard failed is recorded as superseded, or, when the tenant
 * was disconnected with {@code revoke=true} meanwhile, its refresh token is revoked at the provider.
 *
 * <p>Everything here may fail without losing a chain: the rows are stored, and the reconciliation sweep re-enqueues a
 * connection whose next message did not go out.
 */
final class AppliedHandoffs {

    private static final Logger log = LoggerFactory.getLogger(AppliedHandoffs.class);

    private final RefreshPublisher publisher;
    private final ConnectionEventPublisher events;
    private final ConnectionStore store;
    private final ProviderRegistry providers;
    private final LateTokenRevocation lateTokens;
    private final MeterRegistry meters;
    private final Clock clock;

    AppliedHandoffs(RefreshPublisher publisher, ConnectionEventPublisher events, ConnectionStore store,
            ProviderRegistry providers, LateTokenRevocation lateTokens, MeterRegistry meters, Clock clock) {
        this.publisher = publisher;
        this.events = events;
        this.store = store;
        this.providers = providers;
        this.lateTokens = lateTokens;
        this.meters = meters;
        this.clock = clock;
    }

    void afterCommit(HandoffDrain.Run run) {
        Instant now = clock.instant();
        List<Outgoing> next = new ArrayList<>();
        List<ConnectionEvent> toPublish = new ArrayList<>();
        for (int i = 0; i < run.refreshes().size(); i++) {
            RefreshToStore refresh = run.refreshes().get(i);
            Optional<Stored> stored = run.results().get(i);
            Claim claim = refresh.claim();
            if (stored.isPresent()) {
                count("stored");
                log.info("connection={} provider={} outcome=handoff_applied fence={}: the tokens handed off while "
                        + "PostgreSQL was down are stored", claim.connectionId(), claim.provider(),
                        stored.get()
                                .fence());
                next.add(new Outgoing(claim.provider(), new RefreshMessage(claim.connectionId(), stored.get().fence(),
                        refresh.nextRefreshAt(), 0)));
                toPublish.addAll(ConnectionEventPublisher.refreshedEvents(claim, refresh.tokens().accessExpiresAt(),
                        refresh.now(), stored.get().revived()));
            } else {
                notStored(refresh, now);
            }
        }
        if (!next.isEmpty()) {
            for (PublishFailedException failure : publisher.publishAll(next, now)) {
                log.warn("{}; the reconciliation sweep will enqueue it", failure.getMessage());
            }
        }
        if (!toPublish.isEmpty()) {
            try {
                events.publishAll(toPublish);
            } catch (RuntimeException e) {
                log.warn("events of {} applied hand-offs not published: {}", run.refreshes().size(), e.getMessage());
            }
        }
    }

    /** The guard failed: a newer token was stored meanwhile (by the worker itself, once the database was back). */
    private void notStored(RefreshToStore refresh, Instant now) {
        Claim claim = refresh.claim();
        Optional<ConnectionStore.Disconnection> disconnection = store.disconnection(claim.connectionId());
        boolean disconnected = disconnection.isPresent();
        if (disconnected && disconnection.get().revokeRequested() && refresh.tokens().refreshToken() != null) {
            providers.find(claim.provider()).ifPresent(provider -> lateTokens.revoke(claim, provider, refresh
                    .tokens().refreshToken()));
        }
        AttemptRecord attempt = refresh.attempt();
        store.recordAttempt(claim.connectionId(), claim.fence(), new AttemptRecord(attempt.attemptedAt(), disconnected
                ? AttemptOutcome.DISCONNECTED
                : AttemptOutcome.SUPERSEDED, attempt.httpStatus(), "handoff", attempt.duration(), attempt.worker()));
        count(disconnected ? "disconnected" : "superseded");
        log.info("connection={} provider={} outcome=handoff_{}: the handed-off tokens were not stored ({})",
                claim.connectionId(), claim.provider(), disconnected ? "disconnected" : "superseded", disconnected
                        ? "the tenant was disconnected meanwhile"
                        : "a newer refresh token is stored");
    }

    private void count(String outcome) {
        meters.counter("refresher.handoff.applied", "outcome", outcome).increment();
    }
}
