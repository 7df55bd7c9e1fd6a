package dev.tokenrefresher.common.database;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Time limits on every connection to PostgreSQL, bound from {@code refresher.database}.
 *
 * @param socketTimeout how long a read on a database connection may wait for a byte (default
 *            {@value #DEFAULT_SOCKET_TIMEOUT_TEXT}): a half-open connection (a failed-over primary, a blackholed
 *            network) fails the statement then, instead of holding its thread, and a worker's group-commit drainer
 *            with it, for the operating system's TCP timeout (15 minutes and more)
 * @param statementTimeout how long the server lets one statement run (default {@value #DEFAULT_STATEMENT_TIMEOUT_TEXT},
 *            PostgreSQL's {@code statement_timeout}); shorter than the socket timeout, so a slow statement ends with
 *            the server's clear error rather than a broken connection
 */
@ConfigurationProperties("refresher.database")
public record DatabaseProperties(Duration socketTimeout, Duration statementTimeout) {

    static final String DEFAULT_SOCKET_TIMEOUT_TEXT = "35s";
    public static final Duration DEFAULT_SOCKET_TIMEOUT = Duration.ofSeconds(35);
    static final String DEFAULT_STATEMENT_TIMEOUT_TEXT = "25s";
    public static final Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ofSeconds(25);

    public DatabaseProperties {
        socketTimeout = socketTimeout == null ? DEFAULT_SOCKET_TIMEOUT : socketTimeout;
        statementTimeout = statementTimeout == null ? DEFAULT_STATEMENT_TIMEOUT : statementTimeout;
        if (socketTimeout.toSeconds() < 1 || !statementTimeout.isPositive()) {
            throw new IllegalArgumentException("refresher.database.socket-timeout must be at least 1s and "
                    + "statement-timeout positive, were " + socketTimeout + " and " + statementTimeout);
        }
        if (statementTimeout.compareTo(socketTimeout) >= 0) {
            throw new IllegalArgumentException("refresher.database.statement-timeout (" + statementTimeout
                    + ") must be shorter than socket-timeout (" + socketTimeout + "): the server should end a slow "
                    + "statement before the client gives up on the connection");
        }
    }
}
