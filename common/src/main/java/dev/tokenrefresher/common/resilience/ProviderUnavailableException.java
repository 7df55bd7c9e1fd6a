package dev.tokenrefresher.common.resilience;

import dev.tokenrefresher.common.RefresherException;

/**
 * A provider call failed in a way that says the provider is unwell: 5xx, 429, timeout, connection error or a malformed
 * answer. It is what the circuit breakers record as a failure ({@link ProviderBreakers#record}, and
 * {@code record-exceptions} in the worker's and the scheduler's application.yml); {@code invalid_grant},
 * {@code invalid_client} and other refusals are answers of a healthy provider and are not.
 */
public class ProviderUnavailableException extends RefresherException {

    private final String provider;
    private final String errorCode;

    public ProviderUnavailableException(String provider, String errorCode) {
        super("provider '" + provider + "' failed: " + errorCode);
        this.provider = provider;
        this.errorCode = errorCode;
    }

    public String provider() {
        return provider;
    }

    public String errorCode() {
        return errorCode;
    }
}
