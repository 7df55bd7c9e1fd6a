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
     * @param mayStillRun whether the provider may still be serving the request after the exchange ended on our side:
     *            we stopped waiting ({@code timeout}, a body stalled after the headers included; {@code interrupted})
     *            or a gateway did ({@code http_504}). Such a call is never retried before the provider's
     *            {@code timeout-quiet-period} has passed (DESIGN decision 12). Every other failure ended at the
     *            provider's side: it answered (a 5xx, an unreadable 200) or closed the connection
     *            ({@code connection_lost}), or the request never left. Implies {@code answerMayBeLost}
     */
    record Failed(ErrorClass errorClass, String errorCode, String detail, Integer httpStatus, Duration retryAfter,
            Duration duration, boolean answerMayBeLost, boolean mayStillRun) implements RefreshResult {

        public Failed {
            if (mayStillRun && !answerMayBeLost) {
                throw new IllegalArgumentException("a request the provider may still serve may have rotated");
            }
        }

        /** A failure that ended at the provider's side, or before the request left. */
        public Failed(ErrorClass errorClass, String errorCode, String detail, Integer httpStatus, Duration retryAfter,
                Duration duration, boolean answerMayBeLost) {
            this(errorClass, errorCode, detail, httpStatus, retryAfter, duration, answerMayBeLost, false);
        }
    }
}
