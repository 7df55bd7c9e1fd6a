package dev.tokenrefresher.systemtests;

import dev.tokenrefresher.common.crypto.CipherBinding;
import dev.tokenrefresher.common.crypto.TokenCipher;
import dev.tokenrefresher.common.test.TestServices;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Reads the {@code connection} table directly, as an auditor with the key would. */
final class StoredConnections {

    private final TokenCipher cipher = new TokenCipher(TestServices.get().cryptoProperties());
    private final String jdbcUrl;

    StoredConnections(TestServices.Namespace namespace) {
        this(namespace, TestServices.get().jdbcUrl(namespace));
    }

    /** The namespace's table in another database than the test JVM's (e.g. a primary/standby pair of a test's own). */
    StoredConnections(TestServices.Namespace namespace, String jdbcUrl) {
        this.jdbcUrl = jdbcUrl;
    }

    /** @param lastError the row's {@code last_error}: why the chain ended, for a {@code REAUTH_REQUIRED} one */
    record Row(UUID id, String realmId, String status, String refreshTokenSha256, String leaseOwner,
            Instant leaseUntil, String lastError) {
    }

    List<Row> all() {
        return rows("");
    }

    /** The connections a worker holds a live lease on. */
    List<Row> leasedBy(String worker, Instant now) {
        return rows(" WHERE lease_owner = '" + worker.replace("'", "''") + "' AND lease_until > '" + now + "'");
    }

    private List<Row> rows(String where) {
        List<Row> rows = new ArrayList<>();
        query("SELECT id, realm_id_enc, status, refresh_token_enc, lease_owner, lease_until, last_error FROM connection"
                + where,
                rs -> {
                    UUID id = rs.getObject("id", UUID.class);
                    // a disconnected row has its tokens erased and no realm id: nothing to decrypt
                    String realm = decrypted(rs.getBytes("realm_id_enc"), CipherBinding.connection(id, "realm_id"));
                    String refresh = decrypted(rs.getBytes("refresh_token_enc"), CipherBinding.connection(id,
                            "refresh_token"));
                    var leaseUntil = rs.getObject("lease_until", java.time.OffsetDateTime.class);
                    rows.add(new Row(id, realm, rs.getString("status"), sha256(refresh), rs.getString("lease_owner"),
                            leaseUntil == null ? null : leaseUntil.toInstant(), rs.getString("last_error")));
                });
        return rows;
    }

    private String decrypted(byte[] ciphertext, CipherBinding binding) {
        return ciphertext == null || ciphertext.length == 0 ? null : cipher.decrypt(ciphertext, binding);
    }

    /** Pretends a connection's message was lost: its refresh is overdue by {@code by}, and no message will come. */
    void makeOverdue(UUID id, Duration by) {
        TestServices services = TestServices.get();
        try (Connection connection = DriverManager.getConnection(jdbcUrl, services.postgresUser(),
                services.postgresPassword());
                var statement = connection.prepareStatement(
                        "UPDATE connection SET next_refresh_at = now() - ?::interval, refresh_fence = refresh_fence + 1 "
                                + "WHERE id = ?")) {
            statement.setString(1, by.toSeconds() + " seconds");
            statement.setObject(2, id);
            statement.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot make " + id + " overdue", e);
        }
    }

    /** Runs a statement in this system's schema, for a test that changes the database under the running apps. */
    void execute(String sql) {
        TestServices services = TestServices.get();
        try (Connection connection = DriverManager.getConnection(jdbcUrl, services.postgresUser(),
                services.postgresPassword());
                var statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + " failed", e);
        }
    }

    /**
     * Takes PostgreSQL advisory lock {@code key} on a session of its own and holds it until the answer is closed: a
     * trigger that takes the same lock makes the apps' statements wait at it for as long as the test wants.
     */
    HeldLock holdAdvisoryLock(long key) {
        TestServices services = TestServices.get();
        try {
            Connection connection = DriverManager.getConnection(jdbcUrl, services.postgresUser(),
                    services.postgresPassword());
            try (var statement = connection.createStatement()) {
                statement.execute("SELECT pg_advisory_lock(" + key + ")");
            }
            // closing the session releases the lock
            return () -> {
                try {
                    connection.close();
                } catch (SQLException e) {
                    throw new IllegalStateException("cannot release advisory lock " + key, e);
                }
            };
        } catch (SQLException e) {
            throw new IllegalStateException("cannot take advisory lock " + key, e);
        }
    }

    /** An advisory lock held until closed. */
    interface HeldLock extends AutoCloseable {
        @Override
        void close();
    }

    /** Successful refreshes token-refresher recorded, by realm id. */
    Map<String, Long> refreshedAttemptsByRealm() {
        Map<UUID, String> realmById = new HashMap<>();
        all().forEach(row -> realmById.put(row.id(), row.realmId()));
        Map<String, Long> counts = new HashMap<>();
        query("SELECT connection_id, count(*) AS n FROM refresh_attempt WHERE outcome = 'REFRESHED' "
                + "GROUP BY connection_id",
                rs -> counts.put(realmById.get(rs.getObject("connection_id", UUID.class)),
                        rs.getLong("n")));
        return counts;
    }

    /** A successful refresh as recorded: which worker recorded it, and when the answer came by that worker's clock. */
    record RefreshedAttempt(UUID connectionId, String worker, Instant attemptedAt) {
    }

    /** Successful refreshes recorded with an answer time (by the recording worker's clock) from {@code from} on. */
    List<RefreshedAttempt> refreshedAttemptsSince(Instant from) {
        List<RefreshedAttempt> attempts = new ArrayList<>();
        query("SELECT connection_id, worker, attempted_at FROM refresh_attempt WHERE outcome = 'REFRESHED' "
                + "AND attempted_at >= '" + from + "'",
                rs -> attempts.add(new RefreshedAttempt(rs.getObject("connection_id", UUID.class), rs.getString(
                        "worker"), rs.getObject("attempted_at", java.time.OffsetDateTime.class).toInstant())));
        return attempts;
    }

    /** Recorded attempts with this outcome and error code, e.g. {@code SUPERSEDED} and {@code handoff}. */
    long attempts(String outcome, String errorCode) {
        long[] count = new long[1];
        query("SELECT count(*) AS n FROM refresh_attempt WHERE outcome = '" + outcome.replace("'", "''")
                + "' AND error_code = '" + errorCode.replace("'", "''") + "'", rs -> count[0] = rs.getLong("n"));
        return count[0];
    }

    /** Access-token expiry by connection id. */
    Map<UUID, Instant> accessExpiries() {
        Map<UUID, Instant> expiries = new HashMap<>();
        query("SELECT id, access_expires_at FROM connection", rs -> {
            var expiry = rs.getObject("access_expires_at", java.time.OffsetDateTime.class);
            expiries.put(rs.getObject("id", UUID.class), expiry == null ? null : expiry.toInstant());
        });
        return expiries;
    }

    /**
     * Every column of every row as text, with byte columns decoded as text too, so that a plaintext token stored in
     * a bytea column would show.
     */
    String dump() {
        StringBuilder dump = new StringBuilder();
        query("""
                SELECT c::text AS row_text, encode(access_token_enc, 'escape') AS a, encode(refresh_token_enc, 'escape') AS r,
                       coalesce(encode(realm_id_enc, 'escape'), '') AS m
                FROM connection c""",
                rs -> dump.append(rs.getString("row_text")).append(rs.getString("a"))
                        .append(rs.getString("r")).append(rs.getString("m")).append('\n'));
        query("SELECT t::text AS row_text FROM refresh_attempt t", rs -> dump.append(rs.getString("row_text"))
                .append('\n'));
        return dump.toString();
    }

    static String sha256(String value) {
        if (value == null) {
            return null;
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(
                    StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private interface RowHandler {
        void handle(ResultSet rs) throws SQLException;
    }

    private void query(String sql, RowHandler handler) {
        TestServices services = TestServices.get();
        try (Connection connection = DriverManager.getConnection(jdbcUrl, services.postgresUser(),
                services.postgresPassword());
                var statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(sql)) {
            while (rs.next()) {
                handler.handle(rs);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql + " failed", e);
        }
    }
}
