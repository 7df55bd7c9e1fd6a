package dev.tokenrefresher.sandbox.token;

import dev.tokenrefresher.sandbox.faults.TailFaults;
import dev.tokenrefresher.sandbox.settings.RuntimeSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * What the control API changes in one connection and tells about it: its reuse grace, answer delay and hard cap, its
 * revocation, its report.
 */
@Component
class ConnectionControl {

    private static final Logger log = LoggerFactory.getLogger(ConnectionControl.class);

    private final ConnectionRegistry connections;
    private final RuntimeSettings settings;
    private final TailFaults tail;

    ConnectionControl(ConnectionRegistry connections, RuntimeSettings settings, TailFaults tail) {
        this.connections = connections;
        this.settings = settings;
        this.tail = tail;
    }

    /** @return false when no connection has that realm id */
    boolean revoke(String realmId) {
        Connection connection = connections.byRealmId(realmId);
        if (connection == null) {
            return false;
        }
        connection.revoke();
        log.info("Revoked the connection of realm {}", realmId);
        return true;
    }

    Optional<ConnectionReport> report(String realmId) {
        return Optional.ofNullable(connections.byRealmId(realmId)).map(this::report);
    }

    private ConnectionReport report(Connection connection) {
        return connection.report(settings.reuseGrace(), settings.answerDelay(), tail.groupOf(connection.number()));
    }

    /**
     * Sets how long one connection's granted answers are held after the rotation; null makes it follow the run-time
     * {@code answerDelayMillis} again.
     *
     * @return false when no connection has that realm id
     */
    boolean changeAnswerDelay(String realmId, Duration delay) {
        Connection connection = connections.byRealmId(realmId);
        if (connection == null) {
            return false;
        }
        connection.changeAnswerDelay(delay);
        log.debug("Realm {}: granted answers are held {} after the rotation", realmId, delay == null
                ? "as the run-time default says"
                : delay);
        return true;
    }

    /**
     * Sets the reuse grace of one connection; null makes it follow the run-time default.
     *
     * @return false when no connection has that realm id
     */
    boolean changeReuseGrace(String realmId, Duration grace) {
        Connection connection = connections.byRealmId(realmId);
        if (connection == null) {
            return false;
        }
        connection.changeReuseGrace(grace);
        log.info("Realm {}: refresh tokens rotated away stay usable for {}", realmId, grace == null
                ? "the run-time default"
                : grace);
        return true;
    }

    /**
     * Moves the hard cap of one connection's refresh-token chain.
     *
     * @return false when no connection has that realm id
     */
    boolean changeHardExpiresAt(String realmId, Instant cap) {
        Connection connection = connections.byRealmId(realmId);
        if (connection == null) {
            return false;
        }
        connection.changeHardExpiresAt(cap);
        log.info("Realm {}: refresh-token chain hard-expires at {}", realmId, cap);
        return true;
    }

    /** All connections, oldest first. */
    List<ConnectionReport> reports() {
        return connections.all()
                .stream()
                .sorted(Comparator.comparingLong(Connection::number))
                .map(this::report)
                .toList();
    }
}
