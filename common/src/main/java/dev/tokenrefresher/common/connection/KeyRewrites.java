package dev.tokenrefresher.common.connection;

import static dev.tokenrefresher.common.connection.AttemptRows.RECORD_ATTEMPT_OF_UPDATED;
import static dev.tokenrefresher.common.connection.AttemptRows.attemptParams;
import static dev.tokenrefresher.common.connection.AttemptRows.lastError;
import static dev.tokenrefresher.common.connection.Timestamps.ts;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The connection table as the re-encryption job (issue 20, point 1) sees it: rows whose values are not all under the
 * primary key's current header, rewritten one by one under a guard that never races a refresh.
 *
 * <p>Why the guard is what it is: every statement that stores a refresh's outcome, or hands tokens off, checks that the
 * refresh token's ciphertext is still the one its claim consumed ({@code refresh_token_enc = :consumed}). A rewrite
 * of a connection with a lease held, live or ended without an outcome, would make that check fail and the issued
 * tokens be dropped as superseded. So only rows without a lease holder are rewritten, compared-and-set on every value
 * as read; a claim taken meanwhile makes the rewrite miss, and the next pass comes back. Rows changed less than
 * {@code settle} ago are left for the next pass too: a worker that was frozen past its lease may still store its
 * issued tokens against a connection another worker marked for re-authorization (DESIGN decision 3, issue 18 path 6).
 */
public class KeyRewrites {

    /**
     * A row holds a value that does not start with {@code :header}. A disconnect erases the tokens to empty values and
     * the realm id to NULL: neither is a value to rewrite.
     */
    private static final String OUTSIDE_HEADER = """
            (length(access_token_enc) > 0 AND substring(access_token_enc FROM 1 FOR :length) <> :header
             OR length(refresh_token_enc) > 0 AND substring(refresh_token_enc FROM 1 FOR :length) <> :header
             OR substring(realm_id_enc FROM 1 FOR :length) <> :header)""";

    private final JdbcClient jdbc;

    KeyRewrites(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * The next rows after {@code after} in id order that hold a value not starting with {@code header} (another key,
     * another format, or no readable header at all).
     */
    public List<EncryptedValues> nextToRewrite(UUID after, byte[] header, int limit) {
        return jdbc
                .sql("""
                        SELECT id, provider, tenant_id, refresh_fence, status = 'ACTIVE' AND next_refresh_at IS NOT NULL AS active,
                               realm_id_enc, access_token_enc, refresh_token_enc
                        FROM connection
                        WHERE id > :after AND """
                        + OUTSIDE_HEADER + """
                                ORDER BY id
                                LIMIT :limit
                                """)
                .param("after", after)
                .param("length", header.length)
                .param("header", header)
                .param("limit", limit)
                .query((rs, n) -> new EncryptedValues(rs.getObject("id", UUID.class), rs.getString("provider"), rs
                        .getString("tenant_id"), rs.getLong("refresh_fence"), rs.getBoolean("active"),
                        rs.getBytes(
                                "realm_id_enc"),
                        rs.getBytes("access_token_enc"), rs.getBytes("refresh_token_enc")))
                .list();
    }

    /**
     * Replaces a row's values with the same plaintexts under the primary key, if nobody holds its lease, it was not
     * changed within {@code settle}, and its values are still those read.
     *
     * @return whether the row was rewritten; {@code false} means it is left for the next pass
     */
    public boolean rewrite(EncryptedValues read, byte[] realmId, byte[] accessToken, byte[] refreshToken,
            Duration settle) {
        return jdbc.sql("""
                UPDATE connection SET realm_id_enc = :realm, access_token_enc = :access, refresh_token_enc = :refresh
                WHERE id = :id AND lease_owner IS NULL
                  AND updated_at < statement_timestamp() - :settleMs * interval '1 millisecond'
                  AND access_token_enc = :oldAccess AND refresh_token_enc = :oldRefresh
                  AND realm_id_enc IS NOT DISTINCT FROM :oldRealm
                """)
                .param("realm", realmId)
                .param("access", accessToken)
                .param("refresh", refreshToken)
                .param("id", read.id())
                .param("settleMs", settle.toMillis())
                .param("oldAccess", read.accessToken())
                .param("oldRefresh", read.refreshToken())
                .param("oldRealm", read.realmId())
                .update() == 1;
    }

    /**
     * Parks an ACTIVE connection whose values cannot be decrypted, as a failed claim would ({@link
     * RefreshOutcomes#park}): no refresh scheduled, a new fence so that its queued message is dropped as stale, the
     * reason in {@code last_error}, the attempt recorded. Only while nobody holds its lease and its fence is the one
     * read.
     *
     * @return whether it was parked; {@code false} if the row moved on meanwhile
     */
    public boolean parkUnleased(EncryptedValues read, String reason, Instant now, AttemptRecord attempt) {
        return jdbc.sql("""
                WITH updated AS (
                    UPDATE connection SET next_refresh_at = NULL, refresh_fence = refresh_fence + 1,
                           consecutive_failures = consecutive_failures + 1,
                           first_failure_at = coalesce(first_failure_at, :now),
                           last_error = :error, updated_at = :now
                    WHERE id = :id AND refresh_fence = :claimFence AND lease_owner IS NULL AND status = 'ACTIVE'
                      AND next_refresh_at IS NOT NULL
                    RETURNING id, refresh_fence),
                """ + RECORD_ATTEMPT_OF_UPDATED + """
                SELECT refresh_fence FROM updated
                """)
                .param("now", ts(now))
                .param("error", lastError(reason))
                .param("id", read.id())
                .param("claimFence", read.fence())
                .params(attemptParams(attempt))
                .query((rs, n) -> rs.getLong(1))
                .optional()
                .isPresent();
    }

    /**
     * How many rows and values each key id and format holds, over every encrypted column: what an operator reads before
     * removing a key.
     */
    public List<KeyUsage> usage() {
        return jdbc.sql("""
                SELECT CASE WHEN length(v) >= 2 AND get_byte(v, 0) IN (1, 2) THEN get_byte(v, 0) ELSE -1 END AS format,
                       CASE WHEN length(v) >= 2 AND get_byte(v, 0) IN (1, 2) AND get_byte(v, 1) BETWEEN 1 AND 32
                                 AND length(v) >= 2 + get_byte(v, 1)
                            THEN encode(substring(v FROM 3 FOR get_byte(v, 1)), 'escape') END AS key_id,
                       count(DISTINCT c.id) AS rows, count(*) AS values
                FROM connection c
                CROSS JOIN LATERAL (VALUES (c.realm_id_enc), (c.access_token_enc), (c.refresh_token_enc)) AS e(v)
                WHERE length(v) > 0
                GROUP BY 1, 2
                ORDER BY 2 NULLS LAST, 1
                """)
                .query((rs, n) -> new KeyUsage(rs.getString("key_id"), rs.getInt("format"), rs.getLong("rows"), rs
                        .getLong("values")))
                .list();
    }

    /** How many rows hold a value not starting with {@code header}: what the re-encryption job still has to do. */
    public long rowsOutside(byte[] header) {
        return jdbc.sql("""
                SELECT count(*) FROM connection WHERE """ + OUTSIDE_HEADER + """
                """)
                .param("length", header.length)
                .param("header", header)
                .query(Long.class)
                .single();
    }

    /**
     * Rows held by a key id or format: how many rows and how many of their encrypted values.
     *
     * @param keyId {@code null} where a value has no readable header
     * @param format 1 or 2; -1 where a value has no readable header
     */
    public record KeyUsage(String keyId, int format, long rows, long values) {
    }
}
