package dev.tokenrefresher.sandbox.faults;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Which share of the connections, if any, a connection falls in while tail faults are on. */
public enum TailGroup {

    /** Every {@code everyCalls}th call of the connection hangs. */
    HANG,

    /** Every {@code everyCalls}th call of the connection answers slowly. */
    SLOW,

    /** Neither: the connections whose lateness a tail-latency test watches. */
    OTHER;

    /** The name the control API uses: {@code hang}, {@code slow}, {@code other}. */
    @JsonValue
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
