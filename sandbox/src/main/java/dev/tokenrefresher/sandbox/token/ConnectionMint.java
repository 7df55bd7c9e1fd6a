package dev.tokenrefresher.sandbox.token;

import dev.tokenrefresher.sandbox.settings.RuntimeSettings;
import dev.tokenrefresher.sandbox.settings.SandboxProperties;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Creates connections with their first tokens: minted through the control API and for the demo, as if each had just
 * completed the authorization-code flow, or made by an authorization code the token endpoint exchanged.
 */
@Component
class ConnectionMint implements ConnectionMinter {

    private static final Logger log = LoggerFactory.getLogger(ConnectionMint.class);

    private final Clock clock;
    private final RuntimeSettings settings;
    private final ConnectionRegistry connections;
    private final Duration refreshTokenLifetime;
    private final Duration refreshTokenHardLifetime;
    private final SecureTokens tokens = new SecureTokens();

    ConnectionMint(Clock clock, SandboxProperties properties, RuntimeSettings settings,
            ConnectionRegistry connections) {
        this.clock = clock;
        this.settings = settings;
        this.connections = connections;
        this.refreshTokenLifetime = properties.refreshTokenLifetime();
        this.refreshTokenHardLifetime = properties.refreshTokenHardLifetime();
    }

    /** Creates connections as if each had just completed the authorization-code flow. */
    @Override
    public List<MintedConnection> mint(int count) {
        return mint(count, null);
    }

    /**
     * {@link #mint(int)} with a reuse grace of their own for the connections.
     *
     * @param reuseGrace
     *            null: they follow the run-time default
     */
    List<MintedConnection> mint(int count, Duration reuseGrace) {
        Instant now = clock.instant();
        RefreshRules rules = RefreshRules.current(settings, refreshTokenLifetime);
        List<MintedConnection> minted = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String refreshToken = tokens.refreshToken();
            Connection connection;
            do {
                connection = new Connection(connections.nextNumber(), tokens.realmId(), refreshToken, now, rules,
                        refreshTokenHardLifetime, reuseGrace);
            } while (connections.addIfAbsent(connection) != null);
            connections.indexRefreshToken(refreshToken, connection);
            minted.add(new MintedConnection(connection.realmId(), tokens.accessToken(), refreshToken,
                    TokenGrant.BEARER, rules.accessTokenLifetime().toSeconds(),
                    secondsBetween(now, connection.refreshTokenExpiresAt()), now));
        }
        log.info("Minted {} connection(s), {} in total", count, connections.size());
        return minted;
    }

    /**
     * Creates the connection of an exchanged authorization code, under the realm id its consent redirect named, and
     * answers its first tokens as a refresh would.
     */
    TokenGrant authorized(String realmId, boolean includeHardExpiry) {
        Instant now = clock.instant();
        RefreshRules rules = RefreshRules.current(settings, refreshTokenLifetime);
        String refreshToken = tokens.refreshToken();
        Connection connection = new Connection(connections.nextNumber(), realmId, refreshToken, now, rules,
                refreshTokenHardLifetime, null);
        Connection earlier = connections.replace(connection);
        if (earlier != null) {
            // the user authorized a company that was connected before (a reconnect): the new authorization starts a
            // new chain, with a new hard cap, and the earlier chain's tokens are refused from now on
            earlier.revoke();
        }
        connections.indexRefreshToken(refreshToken, connection);
        log.info("Authorization code exchanged: connection of realm {} {}", realmId, earlier == null
                ? "created"
                : "authorized again (its earlier tokens revoked)");
        return new TokenGrant(TokenGrant.BEARER, tokens.accessToken(), rules.accessTokenLifetime().toSeconds(),
                refreshToken, secondsBetween(now, connection.refreshTokenExpiresAt()),
                includeHardExpiry ? secondsBetween(now, connection.hardExpiresAt()) : null);
    }

    private static long secondsBetween(Instant from, Instant to) {
        return Duration.between(from, to).toSeconds();
    }
}
