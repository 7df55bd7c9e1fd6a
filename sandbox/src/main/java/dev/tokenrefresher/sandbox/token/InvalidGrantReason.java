package dev.tokenrefresher.sandbox.token;

/**
 * Why a refresh token was refused. The description goes to the client, so it names the kind of failure and never the
 * token.
 */
enum InvalidGrantReason {

    UNKNOWN("The refresh token is unknown"), EXPIRED("The refresh token has expired"), ROTATED_AWAY(
            "The refresh token was replaced by an earlier refresh (rotated away)"), REVOKED(
                    "The refresh token was revoked"), HARD_EXPIRED(
                            "The refresh token has passed its hard expiry (the connection's cap): reconnect");

    private final String description;

    InvalidGrantReason(String description) {
        this.description = description;
    }

    String description() {
        return description;
    }
}
