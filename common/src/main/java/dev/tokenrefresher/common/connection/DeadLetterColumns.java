package dev.tokenrefresher.common.connection;

import static dev.tokenrefresher.common.connection.Timestamps.ts;

import dev.tokenrefresher.common.messaging.DeadLetter;
import java.util.HashMap;
import java.util.Map;

/**
 * A dead letter's fields as the named parameters of the tables that hold letters ({@code pending_dead_letter},
 * {@code dead_letter}): {@code messageId}, {@code reason}, {@code errorCode}, {@code detail}, {@code provider},
 * {@code connectionId}, {@code attempts}, {@code httpStatus}, {@code firstFailureAt}, {@code lastFailureAt},
 * {@code worker}, {@code body}.
 */
public final class DeadLetterColumns {

    private DeadLetterColumns() {
    }

    public static Map<String, Object> of(DeadLetter letter) {
        // a HashMap: several values may be null
        Map<String, Object> params = new HashMap<>();
        params.put("messageId", letter.messageId());
        params.put("reason", letter.reason());
        params.put("errorCode", letter.errorCode());
        params.put("detail", letter.detail());
        params.put("provider", letter.provider());
        params.put("connectionId", letter.connectionId());
        params.put("attempts", letter.attempts());
        params.put("httpStatus", letter.httpStatus());
        params.put("firstFailureAt", ts(letter.firstFailureAt()));
        params.put("lastFailureAt", ts(letter.lastFailureAt()));
        params.put("worker", letter.worker());
        params.put("body", letter.body());
        return params;
    }
}
