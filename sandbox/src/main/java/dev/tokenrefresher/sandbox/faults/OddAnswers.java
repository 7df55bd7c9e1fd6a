package dev.tokenrefresher.sandbox.faults;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

/**
 * Odd answers that real providers send, given <em>after</em> the token was rotated: the grant is real (the old
 * refresh token is spent), only its rendering is odd. A client that discards such an answer has lost the chain; one
 * that keeps the refresh token it carries goes on. Each queued shape applies to one successful refresh, in order.
 */
@Component
public class OddAnswers {

    private static final Logger log = LoggerFactory.getLogger(OddAnswers.class);
    /** Over the 64 KiB a client may think a token response can have. */
    static final int OVERSIZED_PADDING_CHARS = 70 * 1024;

    /** How a grant's answer is made odd. */
    public enum Shape {
        /** {@code "expires_in": 3600.0} */
        EXPIRES_IN_DECIMAL,
        /** {@code "expires_in": "3600s"} */
        EXPIRES_IN_TEXT,
        /** {@code "expires_in": 0} */
        EXPIRES_IN_ZERO,
        /** {@code "expires_in": 100000000000000} */
        EXPIRES_IN_HUGE,
        /** no {@code access_token} at all */
        NO_ACCESS_TOKEN,
        /** {@code "x_refresh_token_expires_in": 8726400.5} */
        REFRESH_LIFETIME_DECIMAL,
        /** a 70 KiB padding field beside the tokens */
        OVERSIZED
    }

    private final Queue<Shape> next = new ConcurrentLinkedQueue<>();

    /** Queues shapes for the next successful refreshes, one each. */
    void queue(List<Shape> shapes) {
        next.addAll(shapes);
        log.info("The next {} grants are answered oddly: {}", shapes.size(), shapes);
    }

    void clear() {
        next.clear();
    }

    /** The shape for this grant's answer, if one is queued. */
    public Shape poll() {
        return next.poll();
    }

    /** Renders a grant's JSON in the given shape. */
    public static ObjectNode render(ObjectNode grant, Shape shape) {
        switch (shape) {
            case EXPIRES_IN_DECIMAL -> grant.put("expires_in", grant.path("expires_in").asLong() + 0.0);
            case EXPIRES_IN_TEXT -> grant.put("expires_in", grant.path("expires_in").asLong() + "s");
            case EXPIRES_IN_ZERO -> grant.put("expires_in", 0);
            case EXPIRES_IN_HUGE -> grant.put("expires_in", 100_000_000_000_000L);
            case NO_ACCESS_TOKEN -> grant.remove("access_token");
            case REFRESH_LIFETIME_DECIMAL -> grant.put("x_refresh_token_expires_in", grant.path(
                    "x_refresh_token_expires_in").asLong() + 0.5);
            case OVERSIZED -> grant.put("padding", "x".repeat(OVERSIZED_PADDING_CHARS));
        }
        return grant;
    }
}
