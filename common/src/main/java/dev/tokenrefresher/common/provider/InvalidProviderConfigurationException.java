package dev.tokenrefresher.common.provider;

import dev.tokenrefresher.common.RefresherException;

/** A provider's configuration is incomplete or invalid; the application must not start. */
public class InvalidProviderConfigurationException extends RefresherException {

    private final String provider;

    InvalidProviderConfigurationException(String provider, String problem) {
        super("refresher.providers." + provider + ": " + problem);
        this.provider = provider;
    }

    public String provider() {
        return provider;
    }
}
