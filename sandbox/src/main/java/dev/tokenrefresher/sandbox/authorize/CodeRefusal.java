package dev.tokenrefresher.sandbox.authorize;

/**
 * Why the token endpoint refuses an authorization code with {@code invalid_grant}. The description goes to the client,
 * so it names the kind of failure and never the code or the verifier.
 */
public enum CodeRefusal {

    UNKNOWN("The authorization code is unknown"), REUSED(
            "The authorization code was already used; the tokens issued for it are revoked"), EXPIRED(
                    "The authorization code has expired"), CLIENT_MISMATCH(
                            "The authorization code was issued to another client"), REDIRECT_URI_MISMATCH(
                                    "redirect_uri does not match the authorization request"), VERIFIER_MISSING(
                                            "code_verifier is missing"), VERIFIER_MISMATCH(
                                                    "code_verifier does not match the code_challenge"), VERIFIER_UNEXPECTED(
                                                            "code_verifier was sent, but the authorization request had no code_challenge");

    private final String description;

    CodeRefusal(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }

    boolean isPkceFailure() {
        return this == VERIFIER_MISSING || this == VERIFIER_MISMATCH || this == VERIFIER_UNEXPECTED;
    }
}
