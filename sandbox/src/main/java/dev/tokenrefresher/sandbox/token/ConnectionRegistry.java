package dev.tokenrefresher.sandbox.token;

import dev.tokenrefresher.sandbox.faults.KnownRealms;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Component;

/**
 * Every connection the sandbox holds, in memory: by realm id, and by every refresh token it was ever issued.
 *
 * <p>
 * Refresh tokens that were rotated away stay indexed, so a late use is recognised as such (and counted for its
 * connection) rather than as unknown. That memory grows with the number of rotations until a reset.
 */
@Component
class ConnectionRegistry implements KnownRealms {

    private final Map<String, Connection> connectionsByRealmId = new ConcurrentHashMap<>();
    // current and rotated-away refresh tokens alike
    private final Map<String, Connection> connectionsByRefreshToken = new ConcurrentHashMap<>();
    private final AtomicLong connectionNumbers = new AtomicLong();

    /** The number of the next connection created: orders connections by creation for listings. */
    long nextNumber() {
        return connectionNumbers.incrementAndGet();
    }

    @Override
    public boolean exists(String realmId) {
        return connectionsByRealmId.containsKey(realmId);
    }

    /** @return null when no connection has that realm id */
    Connection byRealmId(String realmId) {
        return connectionsByRealmId.get(realmId);
    }

    /** @return the connection the token (current or rotated away) was issued to; null for a null or unknown token */
    Connection byRefreshToken(String refreshToken) {
        return refreshToken == null ? null : connectionsByRefreshToken.get(refreshToken);
    }

    /**
     * Adds a connection under its realm id unless another has that realm id already.
     *
     * @return the connection that has it already, or null when this one was added
     */
    Connection addIfAbsent(Connection connection) {
        return connectionsByRealmId.putIfAbsent(connection.realmId(), connection);
    }

    /**
     * Adds a connection under its realm id, in place of one that had it before.
     *
     * @return the connection it replaced, or null
     */
    Connection replace(Connection connection) {
        return connectionsByRealmId.put(connection.realmId(), connection);
    }

    /** Files a refresh token just issued under the connection it was issued to. */
    void indexRefreshToken(String refreshToken, Connection connection) {
        connectionsByRefreshToken.put(refreshToken, connection);
    }

    int size() {
        return connectionsByRealmId.size();
    }

    /** Every connection, in no order: for counts over all of them. */
    Collection<Connection> all() {
        return Collections.unmodifiableCollection(connectionsByRealmId.values());
    }

    /** Forgets every connection and every token; the numbering goes on. */
    void clear() {
        connectionsByRealmId.clear();
        connectionsByRefreshToken.clear();
    }
}
