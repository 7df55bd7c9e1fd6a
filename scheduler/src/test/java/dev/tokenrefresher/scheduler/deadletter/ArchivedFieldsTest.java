package dev.tokenrefresher.scheduler.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenrefresher.common.messaging.DeadLetter;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.jdbc.UncategorizedSQLException;

/** What the archive cuts, how it counts characters, and which failures it blames on the letter. */
class ArchivedFieldsTest {

    @Test
    void aLetterThatFitsIsKeptAsItIsAndNotFlagged() {
        DeadLetter letter = letter("id-1", "detail", new byte[10]);

        ArchivedFields.Fitted fitted = ArchivedFields.fit(letter);

        assertThat(fitted.truncated()).isFalse();
        assertThat(fitted.letter()).usingRecursiveComparison().isEqualTo(letter);
    }

    @Test
    void eachFieldLongerThanItsColumnIsCutToTheColumnAndTheLetterFlagged() {
        ArchivedFields.Fitted fitted = ArchivedFields.fit(letter("m".repeat(300), "d".repeat(501),
                new byte[ArchivedFields.BODY_BYTES + 1]));

        assertThat(fitted.truncated()).isTrue();
        assertThat(fitted.letter().messageId()).hasSize(ArchivedFields.MESSAGE_ID_CHARS);
        assertThat(fitted.letter().detail()).hasSize(ArchivedFields.DETAIL_CHARS);
        assertThat(fitted.letter().body()).hasSize(ArchivedFields.BODY_BYTES);
        assertThat(fitted.letter().reason()).isEqualTo("retries_exhausted");
    }

    @Test
    void charactersAreCountedAsPostgresCountsThemAndNoSurrogatePairIsSplit() {
        String emoji = "\uD83D\uDE00";
        // 200 emoji are 200 characters to PostgreSQL (400 UTF-16 units to Java): they fit
        assertThat(ArchivedFields.truncate(emoji.repeat(200), 200)).isEqualTo(emoji.repeat(200));
        assertThat(ArchivedFields.truncate(emoji.repeat(201), 200)).isEqualTo(emoji.repeat(200));
        assertThat(ArchivedFields.truncate(null, 5)).isNull();
    }

    @Test
    void aValueOrConstraintTheDatabaseRefusesIsTheLettersAnOutageOrAMissingTableIsNot() {
        assertThat(DeadLetterArchive.isTheLetters(new DataIntegrityViolationException("x", new SQLException("x",
                "22021")))).isTrue();
        assertThat(DeadLetterArchive.isTheLetters(new DataIntegrityViolationException("x", new SQLException("x",
                "23505")))).isTrue();
        assertThat(DeadLetterArchive.isTheLetters(new UncategorizedSQLException("insert", "x", new SQLException("x",
                "P0001")))).isTrue();
        assertThat(DeadLetterArchive.isTheLetters(new IllegalArgumentException("not the database"))).isTrue();
        assertThat(DeadLetterArchive.isTheLetters(new CannotGetJdbcConnectionException("down", new SQLException(
                "refused", "08001")))).isFalse();
        assertThat(DeadLetterArchive.isTheLetters(new UncategorizedSQLException("insert", "x", new SQLException("x",
                "42P01")))).isFalse();
    }

    @Test
    void theBackOffGrowsByItsMultiplierUpToItsMaximumAndStaysThere() {
        DeadLetterProperties properties = new DeadLetterProperties(Duration.ofSeconds(1), Duration.ofSeconds(5), 2.0,
                null, null, null, null);

        assertThat(properties.nextBackoff(Duration.ofSeconds(1))).isEqualTo(Duration.ofSeconds(2));
        assertThat(properties.nextBackoff(Duration.ofSeconds(4))).isEqualTo(Duration.ofSeconds(5));
        assertThat(properties.nextBackoff(Duration.ofSeconds(5))).isEqualTo(Duration.ofSeconds(5));
        assertThat(DeadLetterProperties.defaults().archiveInitialBackoff()).isEqualTo(
                DeadLetterProperties.DEFAULT_ARCHIVE_INITIAL_BACKOFF);
    }

    private static DeadLetter letter(String messageId, String detail, byte[] body) {
        return new DeadLetter(body, messageId, "retries_exhausted", "http_503", detail, "quickbooks", UUID
                .randomUUID(), 12, 503, Instant.EPOCH, Instant.EPOCH, "worker-1");
    }
}
