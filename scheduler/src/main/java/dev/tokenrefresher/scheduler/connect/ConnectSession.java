package dev.tokenrefresher.scheduler.connect;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * One connect session as stored (never its link's secret nor its state, which are stored hashed).
 *
 * @param connectionId for a reconnect, the connection it keeps; once completed, the connection it made
 * @param codeVerifier the encrypted PKCE verifier, from the link's opening on; {@code null} without PKCE
 * @param error why it failed, e.g. {@code access_denied}; {@code null} unless FAILED
 */
record ConnectSession(
        UUID id,
        String tenantId,
        String provider,
        UUID connectionId,
        boolean reconnect,
        String returnUrl,
        List<String> scopes,
        byte[] codeVerifier,
        Status status,
        String error,
        Instant createdAt,
        Instant expiresAt,
        Instant openedAt,
        Instant finishedAt) {

    /** Where a session is: each step moves it forward once, so a link and a state are each used once. */
    enum Status {
        /** Made; its link not opened yet. */
        CREATED,
        /** Its link was opened: the user is at the provider, the state is out. */
        OPENED,
        /** The callback came and its code is being exchanged. */
        EXCHANGING,
        /** The connection is registered. */
        COMPLETED,
        /** Denied, expired, or the exchange failed; nothing was stored. */
        FAILED
    }

    boolean expiredAt(Instant now) {
        return !now.isBefore(expiresAt);
    }

    @Override
    public String toString() {
        return "ConnectSession[id=" + id + ", provider=" + provider + ", status=" + status + ", error=" + error + "]";
    }
}
