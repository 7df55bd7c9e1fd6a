package dev.tokenrefresher.sandbox.token;

/** What the token endpoint answers: a grant, an OAuth2 error, or an injected fault. */
sealed interface TokenAnswer permits TokenGrant, TokenRefusal, FaultAnswer {

    /** The HTTP status it is sent with. */
    int status();
}
