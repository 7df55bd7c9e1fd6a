package dev.tokenrefresher.common.connection;

import static dev.tokenrefresher.common.connection.Timestamps.ts;

import java.util.HashMap;
import java.util.Map;

/** How an attempt is written: in the statement that applies its effect, or by itself. */
final class AttemptRows {

    static final int LAST_ERROR_MAX = 500;
    /** The CTE that writes the attempt row in the statement that applies the attempt's effect. */
    static final String RECORD_ATTEMPT_OF_UPDATED = """
            attempt AS (
                INSERT INTO refresh_attempt (connection_id, fence, attempted_at, outcome, http_status, error_code,
                                             duration_ms, worker)
                SELECT id, :claimFence, :attemptedAt, :outcome, :httpStatus, :errorCode, :duration, :worker
                FROM updated)
            """;

    private AttemptRows() {
    }

    static Map<String, Object> attemptParams(AttemptRecord attempt) {
        Map<String, Object> params = new HashMap<>();
        params.put("attemptedAt", ts(attempt.attemptedAt()));
        params.put("outcome", attempt.outcome().name());
        params.put("httpStatus", attempt.httpStatus());
        params.put("errorCode", attempt.errorCode());
        params.put("duration", durationMillis(attempt));
        params.put("worker", attempt.worker());
        return params;
    }

    static int durationMillis(AttemptRecord attempt) {
        return (int) Math.min(Integer.MAX_VALUE, attempt.duration().toMillis());
    }

    /** {@code last_error} as the column holds it. */
    static String lastError(String reason) {
        return reason == null || reason.length() <= LAST_ERROR_MAX ? reason : reason.substring(0, LAST_ERROR_MAX);
    }
}
