package dev.tokenrefresher.common.connection;

import static dev.tokenrefresher.common.connection.Timestamps.instant;

import dev.tokenrefresher.common.messaging.DeadLetter;
import dev.tokenrefresher.common.messaging.DeadLetterPublisher;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The outbox of dead letters: a state change that ends a chain or parks a connection keeps its letter in its own
 * transaction ({@link #keepWith}), the sender deletes it once the broker confirmed ({@link #sent}), and the scheduler's
 * relay publishes what a sender left behind (it died, or the broker stayed away longer than its retries). Without it, a
 * letter whose publish failed after the change committed was lost: the connection stayed parked with no letter to list
 * or replay.
 */
public class PendingDeadLetters {

    private static final Logger log = LoggerFactory.getLogger(PendingDeadLetters.class);

    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;

    PendingDeadLetters(JdbcClient jdbc, TransactionTemplate transactions) {
        this.jdbc = jdbc;
        this.transactions = transactions;
    }

    /**
     * A letter left for the relay.
     *
     * @param tenantId the connection's, for the events the sender would have sent; null if it is gone
     * @param reauthRequired whether the connection is {@code REAUTH_REQUIRED} now: the letter ended its chain and
     *            nothing revived it since
     */
    public record Pending(long id, DeadLetter letter, String tenantId, boolean reauthRequired) {
    }

    /**
     * Runs a state change and, if it changed the row, keeps its letter, in one transaction.
     *
     * @param change the guarded statement; {@code false} when the row had moved on (no letter then)
     * @return what the change returned
     */
    public boolean keepWith(DeadLetter letter, BooleanSupplier change) {
        return Boolean.TRUE.equals(transactions.execute(status -> {
            if (!change.getAsBoolean()) {
                return false;
            }
            keep(letter);
            return true;
        }));
    }

    /** Keeps a letter in the caller's transaction, whose state change it describes. */
    public void keep(DeadLetter letter) {
        jdbc.sql("""
                INSERT INTO pending_dead_letter (message_id, reason, error_code, detail, provider, connection_id,
                                                 attempts, http_status, first_failure_at, last_failure_at, worker, body)
                VALUES (:messageId, :reason, :errorCode, :detail, :provider, :connectionId, :attempts, :httpStatus,
                        :firstFailureAt, :lastFailureAt, :worker, :body)
                """)
                .params(DeadLetterColumns.of(letter))
                .update();
    }

    /**
     * Publishes a kept letter and forgets it once the broker confirmed it.
     *
     * @throws dev.tokenrefresher.common.messaging.DeadLetterFailedException as {@link DeadLetterPublisher#publish}:
     *             the letter stays for the relay
     */
    public void publish(DeadLetterPublisher publisher, DeadLetter letter) {
        publisher.publish(letter);
        sent(letter);
    }

    /**
     * Forgets a letter the broker confirmed. A failure here is logged, not thrown: the letter is safe in the broker,
     * and the relay's later copy is one the archive skips.
     */
    public void sent(DeadLetter letter) {
        try {
            jdbc.sql("""
                    DELETE FROM pending_dead_letter
                    WHERE connection_id = :connectionId AND reason = :reason
                      AND message_id IS NOT DISTINCT FROM :messageId
                    """)
                    .param("connectionId", letter.connectionId())
                    .param("reason", letter.reason())
                    .param("messageId", letter.messageId())
                    .update();
        } catch (DataAccessException e) {
            log.warn("dead letter for connection {} ({}) was sent, but its outbox row stays ({}): the relay will send "
                    + "it again and the archive skip the copy", letter.connectionId(), letter.reason(),
                    e.getClass()
                            .getSimpleName());
        }
    }

    /**
     * The letters kept longer than {@code grace} (by the database's clock), oldest first, at most {@code limit}, that
     * no other relay is publishing.
     */
    public List<Pending> lockOlderThan(Duration grace, int limit) {
        return jdbc.sql("""
                SELECT p.*, c.tenant_id, c.status = 'REAUTH_REQUIRED' AS reauth_required
                FROM pending_dead_letter p LEFT JOIN connection c ON c.id = p.connection_id
                WHERE p.created_at < statement_timestamp() - :graceMs * interval '1 millisecond'
                ORDER BY p.id LIMIT :limit FOR UPDATE OF p SKIP LOCKED
                """)
                .param("graceMs", grace.toMillis())
                .param("limit", limit)
                .query(PendingDeadLetters::pending)
                .list();
    }

    /**
     * Locks one letter for its relay, in the caller's transaction.
     *
     * @return false if it is gone (its sender or another relay sent it) or another relay holds it
     */
    public boolean lock(long id) {
        return jdbc.sql("SELECT id FROM pending_dead_letter WHERE id = :id FOR UPDATE SKIP LOCKED")
                .param("id", id)
                .query(Long.class)
                .optional()
                .isPresent();
    }

    /** Deletes a letter the relay published, in the caller's transaction. */
    public void delete(long id) {
        jdbc.sql("DELETE FROM pending_dead_letter WHERE id = :id").param("id", id).update();
    }

    /** Letters waiting to be sent, the relay's included. */
    public long count() {
        return jdbc.sql("SELECT count(*) FROM pending_dead_letter").query(Long.class).single();
    }

    private static Pending pending(ResultSet rs, int row) throws SQLException {
        DeadLetter letter = new DeadLetter(rs.getBytes("body"), rs.getString("message_id"), rs.getString("reason"),
                rs.getString("error_code"), rs.getString("detail"), rs.getString("provider"), rs.getObject(
                        "connection_id", UUID.class),
                rs.getInt("attempts"), (Integer) rs.getObject("http_status"),
                instant(rs, "first_failure_at"), instant(rs, "last_failure_at"), rs.getString("worker"));
        return new Pending(rs.getLong("id"), letter, rs.getString("tenant_id"), rs.getBoolean("reauth_required"));
    }
}
