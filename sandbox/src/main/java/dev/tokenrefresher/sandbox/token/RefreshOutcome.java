package dev.tokenrefresher.sandbox.token;

import java.time.Instant;

/** What a connection decided about one presented refresh token. */
sealed interface RefreshOutcome {

    /**
     * @param refreshToken
     *            the refresh token the client must use next: a new one when rotated, else the presented one
     * @param rotated
     *            whether {@code refreshToken} is new
     */
    record Refreshed(String refreshToken, boolean rotated, Instant refreshTokenExpiresAt, Instant hardExpiresAt)
            implements
                RefreshOutcome {

        @Override
        public String toString() {
            return "Refreshed[rotated=" + rotated + ", refreshTokenExpiresAt=" + refreshTokenExpiresAt + "]";
        }
    }

    record Refused(InvalidGrantReason reason) implements RefreshOutcome {
    }
}
