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
     *            {@code connection_error}, {@code malformed_response}
     * @param detail a short description for operators; never contains a token
     * @param retryAfter the provider's {@code Retry-After}; {@code null} when it gave none
     */
    record Failed(ErrorClass errorClass, String errorCode, String detail, Integer httpStatus, Duration retryAfter,
            Duration duration) implements RefreshResult {
    }
}
