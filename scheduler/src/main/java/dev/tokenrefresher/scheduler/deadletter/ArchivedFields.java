package dev.tokenrefresher.scheduler.deadletter;

import dev.tokenrefresher.common.messaging.DeadLetter;
import java.util.Arrays;

/**
 * Cuts a dead letter's fields to the sizes of their {@code dead_letter} columns (V3). A letter is archived whatever
 * its producer put in its headers: a field longer than its column would otherwise make the database refuse the row on
 * every delivery, a poison message in the archive's own queue. What was cut is flagged ({@code truncated}), not hidden.
 */
final class ArchivedFields {

    /** The column sizes of V3, in characters (PostgreSQL's {@code varchar(n)} counts characters, not bytes). */
    static final int MESSAGE_ID_CHARS = 200;
    static final int REASON_CHARS = 64;
    static final int ERROR_CODE_CHARS = 64;
    static final int DETAIL_CHARS = 500;
    static final int PROVIDER_CHARS = 64;
    static final int WORKER_CHARS = 128;
    /** The body is kept so that a malformed message can be inspected; beyond this it is cut. */
    static final int BODY_BYTES = 64 * 1024;

    private ArchivedFields() {
    }

    /** The letter as it fits the table, and whether anything had to be cut for that. */
    record Fitted(DeadLetter letter, boolean truncated) {
    }

    static Fitted fit(DeadLetter letter) {
        Cut cut = new Cut();
        byte[] body = letter.body() == null ? new byte[0] : letter.body();
        if (body.length > BODY_BYTES) {
            body = Arrays.copyOf(body, BODY_BYTES);
            cut.truncated = true;
        }
        DeadLetter fitted = new DeadLetter(body, cut.text(letter.messageId(), MESSAGE_ID_CHARS), cut.text(letter
                .reason(), REASON_CHARS), cut.text(letter.errorCode(), ERROR_CODE_CHARS), cut.text(letter.detail(),
                        DETAIL_CHARS),
                cut.text(letter.provider(), PROVIDER_CHARS), letter.connectionId(), letter
                        .attempts(),
                letter.httpStatus(), letter.firstFailureAt(), letter.lastFailureAt(), cut
                        .text(letter.worker(), WORKER_CHARS));
        return new Fitted(fitted, cut.truncated);
    }

    /**
     * The first {@code chars} characters as PostgreSQL counts them (code points), never half of a surrogate pair,
     * which the driver could not encode.
     */
    static String truncate(String value, int chars) {
        if (value == null || value.codePointCount(0, value.length()) <= chars) {
            return value;
        }
        return value.substring(0, value.offsetByCodePoints(0, chars));
    }

    private static final class Cut {
        private boolean truncated;

        private String text(String value, int chars) {
            String cut = truncate(value, chars);
            truncated |= cut != value;
            return cut;
        }
    }
}
