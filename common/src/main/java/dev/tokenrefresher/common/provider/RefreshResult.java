package dev.tokenrefresher.common.provider;

import java.time.Duration;

/** The answer of one token request, classified. */
public sealed interface RefreshResult {

    Duration duration();

    Integer httpStatus();

    record Granted(TokenGrant grant, Integer httpStatus, Duration duration) implements RefreshResult {
    }

    /**
     * @param errorCode the OAuth2 {@code error}, or a local code: {@code http_<status>}, {@code timeout},
     *            {@code connection_error} (no connection: the request never left), {@code connection_lost} (the
     *            connection broke once the request was sent), {@code malformed_response}
     * @param detail a short description for operators; never contains a token
     * @param retryAfter the provider's {@code Retry-After}; {@code null} when it gave none
     * @param answerMayBeLost whether the provider may have acted on the request (rotated the refresh token) while
     *            its answer was lost: the connection broke after the request was sent, a 5xx, a timeout, an
     *            unreadable 200. False when the request cannot have reached the provider (no connection) or the
     *            provider answered in full (429, 408, any 4xx)
     */
    record Failed(ErrorClass errorClass, String errorCode, String detail, Integer httpStatus, Duration retryAfter,
            Duration duration, boolean answerMayBeLost) implements RefreshResult {
    }
}
