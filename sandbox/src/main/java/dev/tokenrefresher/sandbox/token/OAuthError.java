package dev.tokenrefresher.sandbox.token;

import org.springframework.http.HttpStatus;

/** The RFC 6749 error codes the token endpoint answers with, and the status Intuit sends with each. */
enum OAuthError {

    INVALID_CLIENT("invalid_client", HttpStatus.UNAUTHORIZED), INVALID_REQUEST("invalid_request",
            HttpStatus.BAD_REQUEST), UNSUPPORTED_GRANT_TYPE("unsupported_grant_type",
                    HttpStatus.BAD_REQUEST), INVALID_GRANT("invalid_grant", HttpStatus.BAD_REQUEST);

    private final String code;
    private final HttpStatus status;

    OAuthError(String code, HttpStatus status) {
        this.code = code;
        this.status = status;
    }

    String code() {
        return code;
    }

    HttpStatus status() {
        return status;
    }
}
