package dev.tokenrefresher.sandbox.token;

/** What the token endpoint answers: a grant or an OAuth2 error. */
sealed interface TokenAnswer permits TokenGrant, TokenRefusal {
}
