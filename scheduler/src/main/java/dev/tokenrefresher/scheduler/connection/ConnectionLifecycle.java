package dev.tokenrefresher.scheduler.connection;

import dev.tokenrefresher.common.connection.ConnectionStatus;
import dev.tokenrefresher.common.connection.ConnectionStore;
import dev.tokenrefresher.common.connection.ConnectionView;
import dev.tokenrefresher.common.connection.Disconnected;
import dev.tokenrefresher.common.connection.Rescheduled;
import dev.tokenrefresher.common.messaging.PublishFailedException;
import dev.tokenrefresher.common.messaging.RefreshMessage;
import dev.tokenrefresher.common.messaging.RefreshPublisher;
import dev.tokenrefresher.common.provider.ProviderRegistry;
import dev.tokenrefresher.common.provider.Revocation;
import dev.tokenrefresher.common.provider.TokenEndpointClient;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/** An operator's or host app's changes to a connection's chain: refresh it now, disconnect it. */
@Service
class ConnectionLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ConnectionLifecycle.class);

    private final ConnectionStore store;
    private final RefreshPublisher publisher;
    private final ProviderRegistry providers;
    private final TokenEndpointClient tokenEndpoint;
    private final Clock clock;

    ConnectionLifecycle(ConnectionStore store, RefreshPublisher publisher, ProviderRegistry providers,
            TokenEndpointClient tokenEndpoint, Clock clock) {
        this.store = store;
        this.publisher = publisher;
        this.providers = providers;
        this.tokenEndpoint = tokenEndpoint;
        this.clock = clock;
    }

    /**
     * What "refresh now" came to.
     *
     * @param state {@code scheduled}: a due-now message was published with the new fence; {@code in_progress}: a
     *            worker or an access-token call holds the lease and is refreshing it right now
     */
    record RefreshRequested(UUID connectionId, String state, Long fence) {
    }

    RefreshRequested refreshNow(UUID id) {
        Instant now = clock.instant();
        Optional<Rescheduled> scheduled = store.scheduleNow(id, now);
        if (scheduled.isEmpty()) {
            ConnectionView connection = store.find(id).orElseThrow(() -> new ConnectionNotFoundException(id));
            if (connection.status() != ConnectionStatus.ACTIVE) {
                throw new ConnectionNotActiveException(id, connection.status());
            }
            return new RefreshRequested(id, "in_progress", null);
        }
        Rescheduled rescheduled = scheduled.get();
        try {
            publisher.publish(rescheduled.provider(), new RefreshMessage(id, rescheduled.fence(), now, 0), now);
        } catch (PublishFailedException e) {
            // The row is due now with the new fence: the reconciliation sweep enqueues it after the grace period.
            log.warn("{}; the reconciliation sweep will enqueue it", e.getMessage());
        }
        log.info("refresh requested connection={} provider={} fence={}", id, rescheduled.provider(),
                rescheduled.fence());
        return new RefreshRequested(id, "scheduled", rescheduled.fence());
    }

    /**
     * What a disconnect came to.
     *
     * @param revocation {@code not_requested}, {@code revoked}, {@code failed}, {@code not_supported} or
     *            {@code already_disconnected}
     * @param revocationDetail why, in words; never a token
     */
    record DisconnectResult(ConnectionView connection, String revocation, String revocationDetail) {
    }

    DisconnectResult disconnect(UUID id, boolean revoke) {
        Optional<Disconnected> disconnected = store.disconnect(id, clock.instant(), revoke);
        String revocation = revoke ? "already_disconnected" : "not_requested";
        String detail = null;
        if (disconnected.isPresent()) {
            Disconnected ended = disconnected.get();
            log.info("disconnected connection={} provider={} revoke={}", id, ended.provider(), revoke);
            if (revoke && ended.refreshToken() == null) {
                revocation = "failed";
                detail = "the stored refresh token could not be decrypted (undecryptable); nothing to revoke with";
                log.warn("revocation connection={} provider={} outcome=failed reason=undecryptable", id, ended
                        .provider());
            } else if (revoke) {
                // After the row is erased: a refresh that was in flight can no longer store a newer token that the
                // revocation would miss (its guarded store fails), and a failed revocation leaves nothing to undo.
                Revocation result = tokenEndpoint.revoke(providers.get(ended.provider()), ended.refreshToken());
                revocation = result.outcome().name().toLowerCase(Locale.ROOT);
                detail = result.detail();
                log.info("revocation connection={} provider={} outcome={}", id, ended.provider(), revocation);
            }
        }
        ConnectionView view = store.find(id).orElseThrow(() -> new ConnectionNotFoundException(id));
        return new DisconnectResult(view, revocation, detail);
    }
}
