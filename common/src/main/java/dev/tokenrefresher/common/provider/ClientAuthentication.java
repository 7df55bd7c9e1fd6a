package dev.tokenrefresher.common.provider;

/** How the client authenticates at the token endpoint (RFC 6749 section 2.3.1). */
public enum ClientAuthentication {
    /** HTTP Basic with the form-encoded client id and secret; Intuit's choice. */
    CLIENT_SECRET_BASIC,
    /** {@code client_id} and {@code client_secret} as form fields. */
    CLIENT_SECRET_POST
}
