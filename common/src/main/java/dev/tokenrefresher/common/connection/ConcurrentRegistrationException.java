package dev.tokenrefresher.common.connection;

import dev.tokenrefresher.common.RefresherException;

/** Two registrations of the same tenant and provider kept colliding; the caller may retry. */
public class ConcurrentRegistrationException extends RefresherException {

    private final String tenantId;
    private final String provider;

    ConcurrentRegistrationException(String tenantId, String provider) {
        super("connection of tenant '" + tenantId + "' at provider '" + provider
                + "' is being registered concurrently; retry");
        this.tenantId = tenantId;
        this.provider = provider;
    }

    public String tenantId() {
        return tenantId;
    }

    public String provider() {
        return provider;
    }
}
