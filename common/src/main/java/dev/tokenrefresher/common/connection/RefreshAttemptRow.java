package dev.tokenrefresher.common.connection;

import java.time.Instant;
import java.util.UUID;

import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Table;

/**
 * One provider call, as recorded in {@code refresh_attempt}.
 *
 * @param outcome see {@link AttemptOutcome}
 * @param httpStatus the provider's HTTP status; {@code null} when no answer came (timeout, connection error)
 * @param errorCode the OAuth2 {@code error} or a local reason such as {@code timeout}; {@code null} on success
 */
@Table("refresh_attempt")
public record RefreshAttemptRow(
        @Id Long id,
        UUID connectionId,
        long fence,
        Instant attemptedAt,
        AttemptOutcome outcome,
        Integer httpStatus,
        String errorCode,
        int durationMs,
        String worker) {
}
