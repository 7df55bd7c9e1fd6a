package dev.tokenrefresher.common.provider;

/**
 * What a revocation at the provider came to.
 *
 * @param detail in words, for an API response or a log line; never a token
 */
public record Revocation(Outcome outcome, String detail) {

    public enum Outcome {
        REVOKED, FAILED, NOT_SUPPORTED
    }
}
