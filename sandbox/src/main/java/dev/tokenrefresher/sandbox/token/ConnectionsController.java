package dev.tokenrefresher.sandbox.token;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * Control API for connections. Minting is the only place besides the token endpoint where tokens leave the sandbox: it
 * plays the authorization-code exchange.
 */
@RestController
@RequestMapping("/sandbox/connections")
class ConnectionsController {

    static final int MAX_MINT_COUNT = 10_000;
    /** A grace longer than this is surely a mistake (Xero's is 30 minutes). */
    static final Duration MAX_REUSE_GRACE = Duration.ofDays(1);
    /** An answer held longer than this is surely a mistake: every client would have given up. */
    static final Duration MAX_ANSWER_DELAY = Duration.ofMinutes(10);

    private final ConnectionMint mint;
    private final ConnectionControl control;
    private final Clock clock;

    ConnectionsController(ConnectionMint mint, ConnectionControl control, Clock clock) {
        this.mint = mint;
        this.control = control;
        this.clock = clock;
    }

    /**
     * @param reuseGraceSeconds
     *            the connections' own reuse grace (0 = strict rotation); without it they follow the run-time default
     */
    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    List<MintedConnection> mint(@RequestParam(defaultValue = "1") int count,
            @RequestParam(required = false) Long reuseGraceSeconds) {
        if (count < 1 || count > MAX_MINT_COUNT) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
                    "count must be between 1 and " + MAX_MINT_COUNT + ", was " + count);
        }
        return mint.mint(count, reuseGrace("reuseGraceSeconds", reuseGraceSeconds));
    }

    /** The body of {@code PUT /sandbox/connections/{realmId}/reuse-grace}; null seconds follow the default. */
    record ReuseGrace(Long seconds) {
    }

    @PutMapping("/{realmId}/reuse-grace")
    ConnectionReport changeReuseGrace(@PathVariable String realmId, @RequestBody ReuseGrace body) {
        if (!control.changeReuseGrace(realmId, reuseGrace("seconds", body.seconds()))) {
            throw unknown(realmId);
        }
        return report(realmId);
    }

    private static Duration reuseGrace(String field, Long seconds) {
        if (seconds == null) {
            return null;
        }
        if (seconds < 0 || seconds > MAX_REUSE_GRACE.toSeconds()) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, field + " must be between 0 and "
                    + MAX_REUSE_GRACE.toSeconds() + ", was " + seconds);
        }
        return Duration.ofSeconds(seconds);
    }

    /** The body of {@code PUT /sandbox/connections/{realmId}/answer-delay}; null millis follow the default. */
    record AnswerDelay(Long millis) {
    }

    /**
     * Holds this connection's granted answers {@code millis} after the rotation (the run-time {@code answerDelayMillis}
     * for one connection), so that a test can act while the provider has rotated and only some clients wait.
     */
    @PutMapping("/{realmId}/answer-delay")
    ConnectionReport changeAnswerDelay(@PathVariable String realmId, @RequestBody AnswerDelay body) {
        Duration delay = null;
        if (body.millis() != null) {
            if (body.millis() < 0 || body.millis() > MAX_ANSWER_DELAY.toMillis()) {
                throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "millis must be between 0 and "
                        + MAX_ANSWER_DELAY.toMillis() + ", was " + body.millis());
            }
            delay = Duration.ofMillis(body.millis());
        }
        if (!control.changeAnswerDelay(realmId, delay)) {
            throw unknown(realmId);
        }
        return report(realmId);
    }

    /**
     * The body of {@code PUT /sandbox/connections/{realmId}/hard-expires-at}: exactly one of an instant and a number of
     * seconds from now (by the sandbox's clock; 0 = hard-expired now).
     */
    record HardExpiry(Instant hardExpiresAt, Long secondsFromNow) {
    }

    /**
     * Moves the connection's hard cap (Intuit's 5-year limit, fixed at authorisation), so a test can bring it near.
     * The refresh token's rolling expiry is cut to the new cap if it was later.
     */
    @PutMapping("/{realmId}/hard-expires-at")
    ConnectionReport changeHardExpiresAt(@PathVariable String realmId, @RequestBody HardExpiry body) {
        if ((body.hardExpiresAt() == null) == (body.secondsFromNow() == null)) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
                    "give exactly one of hardExpiresAt and secondsFromNow");
        }
        if (body.secondsFromNow() != null && body.secondsFromNow() < 0) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
                    "secondsFromNow must be zero or positive, was " + body.secondsFromNow());
        }
        Instant cap = body.hardExpiresAt() != null
                ? body.hardExpiresAt()
                : clock.instant().plusSeconds(body.secondsFromNow());
        if (!control.changeHardExpiresAt(realmId, cap)) {
            throw unknown(realmId);
        }
        return report(realmId);
    }

    @PostMapping("/{realmId}/revoke")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void revoke(@PathVariable String realmId) {
        if (!control.revoke(realmId)) {
            throw unknown(realmId);
        }
    }

    @GetMapping("/{realmId}")
    ConnectionReport report(@PathVariable String realmId) {
        return control.report(realmId).orElseThrow(() -> unknown(realmId));
    }

    @GetMapping
    List<ConnectionReport> reports() {
        return control.reports();
    }

    private static ResponseStatusException unknown(String realmId) {
        return new ResponseStatusException(HttpStatus.NOT_FOUND, "no connection with realmId " + realmId);
    }
}
