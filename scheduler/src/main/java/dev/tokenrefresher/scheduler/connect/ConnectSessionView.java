package dev.tokenrefresher.scheduler.connect;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A connect session as the API shows it. The link is shown once, when the session is made: only its hash is stored.
 *
 * @param connectUrl the single-use link to hand to the user; only in the answer that made the session
 * @param connectionId the connection a reconnect keeps, or the one a completed session made
 * @param status {@code CREATED}, {@code OPENED} (the user is at the provider), {@code EXCHANGING}, {@code COMPLETED},
 *            {@code FAILED}
 * @param error why it failed: {@code access_denied}, {@code session_expired}, {@code exchange_failed}, ...
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ConnectSessionView(UUID id, String connectUrl, String tenantId, String provider, UUID connectionId,
        boolean reconnect, List<String> scopes, String returnUrl, String status, String error, Instant createdAt,
        Instant expiresAt) {

    static ConnectSessionView of(ConnectSession session, String connectUrl) {
        return new ConnectSessionView(session.id(), connectUrl, session.tenantId(), session.provider(),
                session.connectionId(), session.reconnect(), session.scopes(), session.returnUrl(),
                session.status().name(), session.error(), session.createdAt(), session.expiresAt());
    }
}
