package dev.tokenrefresher.sandbox.faults;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * How the answer to a refresh is lost <em>after</em> the refresh token was rotated: the new tokens are issued, the
 * presented one is spent, and the client never reads them.
 *
 * @param stall
 *            for {@link Kind#STALL}, how long the body is held after the headers before the connection is cut; zero
 *            for the other kinds
 */
public record AfterRotationFault(Kind kind, Duration stall) {

    /** The ways an answer is lost, as {@code kind} in {@code POST /sandbox/faults/after-rotation}. */
    public enum Kind {
        /** The connection is closed without an answer: the client sees a reset or an end of stream. */
        RESET,
        /** {@code 500} with an API gateway's JSON body, no token. */
        SERVER_ERROR,
        /** {@code 200} whose body (with a consistent {@code Content-Length}) is cut mid-JSON before the refresh token. */
        TRUNCATED,
        /** {@code 200} headers and the body's first byte at once, the rest held for {@code stall}, then the cut. */
        STALL;

        /** The name the control API and the stats use: {@code reset}, {@code server_error}, ... */
        public String jsonName() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Optional<Kind> named(String name) {
            return Arrays.stream(values()).filter(kind -> kind.jsonName().equals(name)).findFirst();
        }
    }

    public AfterRotationFault {
        Objects.requireNonNull(kind, "kind");
        stall = stall == null ? Duration.ZERO : stall;
    }
}
