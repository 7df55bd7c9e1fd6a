package dev.tokenrefresher.common.connection;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** Instants and lifetimes as the driver writes and reads {@code timestamptz}: instants always as UTC offsets, never as local times. */
final class Timestamps {

    private Timestamps() {
    }

    static OffsetDateTime ts(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    /** A lifetime as an {@code integer} column of seconds; {@code null} stays {@code null}. */
    static Integer seconds(Duration duration) {
        return duration == null ? null : (int) Math.min(Integer.MAX_VALUE, duration.toSeconds());
    }
}
