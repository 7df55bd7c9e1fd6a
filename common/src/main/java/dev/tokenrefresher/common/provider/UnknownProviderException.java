package dev.tokenrefresher.common.provider;

import dev.tokenrefresher.common.RefresherException;
import java.util.Set;

/** A request or message names a provider that is not configured. */
public class UnknownProviderException extends RefresherException {

    private final String provider;

    UnknownProviderException(String provider, Set<String> configured) {
        super("provider '" + provider + "' is not configured; configured providers: " + configured);
        this.provider = provider;
    }

    public String provider() {
        return provider;
    }
}
