package dev.tokenrefresher.common.provider;

import dev.tokenrefresher.common.connection.Claim;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Revokes a refresh token that a refresh in flight was issued after the host app had disconnected the connection with
 * {@code revoke=true}: the disconnect revoked the token the row held then, which the provider had just rotated away,
 * so the new one would otherwise stay valid at the provider with nobody holding it but the provider.
 */
public class LateTokenRevocation {

    private static final Logger log = LoggerFactory.getLogger(LateTokenRevocation.class);

    private final TokenEndpointClient tokenEndpoint;

    public LateTokenRevocation(TokenEndpointClient tokenEndpoint) {
        this.tokenEndpoint = tokenEndpoint;
    }

    /** Revokes {@code refreshToken}, issued to {@code claim}'s refresh after the disconnect; logs what came of it. */
    public Revocation revoke(Claim claim, ProviderSettings provider, String refreshToken) {
        Revocation result = tokenEndpoint.revoke(provider, refreshToken);
        log.info("revocation connection={} provider={} outcome={} of the refresh token issued after the disconnect",
                claim.connectionId(), provider.name(), result.outcome().name().toLowerCase(Locale.ROOT));
        return result;
    }
}
