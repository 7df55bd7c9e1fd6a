package dev.tokenrefresher.sandbox.token;

/** What the token endpoint answers: a grant, an OAuth2 error, an injected fault, or a grant whose answer is lost. */
sealed interface TokenAnswer permits TokenGrant, TokenRefusal, FaultAnswer, LostAnswer {

    /** The HTTP status it is sent with. */
    int status();
}
