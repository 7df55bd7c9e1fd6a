package dev.tokenrefresher.sandbox.settings;

import java.time.Duration;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

@RestController
@RequestMapping("/sandbox/settings")
class SettingsController {

    /** A grace longer than this is surely a mistake (Xero's is 30 minutes). */
    static final Duration MAX_REUSE_GRACE = Duration.ofDays(1);

    private final RuntimeSettings settings;

    SettingsController(RuntimeSettings settings) {
        this.settings = settings;
    }

    @GetMapping
    SettingsView current() {
        return SettingsView.of(settings, settings.current());
    }

    @PutMapping
    SettingsView change(@RequestBody SettingsChange change) {
        notNegative("accessTokenLifetimeSeconds", change.accessTokenLifetimeSeconds());
        notNegative("rotateEvery", change.rotateEvery());
        notNegative("latencyMillis", change.latencyMillis());
        notNegative("answerDelayMillis", change.answerDelayMillis());
        notNegative("reuseGraceSeconds", change.reuseGraceSeconds());
        if (change.reuseGraceSeconds() != null && change.reuseGraceSeconds() > MAX_REUSE_GRACE.toSeconds()) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "reuseGraceSeconds must be at most "
                    + MAX_REUSE_GRACE.toSeconds() + ", was " + change.reuseGraceSeconds());
        }
        if (change.reuseGraceSeconds() != null) {
            settings.changeReuseGrace(Duration.ofSeconds(change.reuseGraceSeconds()));
        }
        if (change.answerDelayMillis() != null) {
            settings.changeAnswerDelay(Duration.ofMillis(change.answerDelayMillis()));
        }
        if (change.spentTokenRevokes() != null) {
            settings.changeSpentTokenRevokes(change.spentTokenRevokes());
        }
        return SettingsView.of(settings, settings.change(
                change.accessTokenLifetimeSeconds() == null
                        ? null
                        : Duration.ofSeconds(change.accessTokenLifetimeSeconds()),
                change.rotateEvery(),
                change.latencyMillis() == null ? null : Duration.ofMillis(change.latencyMillis())));
    }

    private static void notNegative(String field, Number value) {
        if (value != null && value.longValue() < 0) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
                    field + " must be zero or positive, was " + value);
        }
    }

    /** A partial update: a null field keeps its current value. */
    record SettingsChange(Long accessTokenLifetimeSeconds, Integer rotateEvery, Long latencyMillis,
            Long answerDelayMillis, Boolean spentTokenRevokes, Long reuseGraceSeconds) {
    }

    /**
     * @param answerDelayMillis how long a successful refresh's answer is held after the rotation
     * @param spentTokenRevokes whether revoking a rotated-away refresh token revokes the chain
     * @param reuseGraceSeconds how long a rotated-away refresh token stays usable, for connections without a grace of
     *            their own; 0 = strict rotation
     */
    record SettingsView(long accessTokenLifetimeSeconds, int rotateEvery, long latencyMillis,
            long answerDelayMillis, boolean spentTokenRevokes, long reuseGraceSeconds) {

        static SettingsView of(RuntimeSettings runtime, RuntimeSettings.Snapshot settings) {
            return new SettingsView(settings.accessTokenLifetime().toSeconds(), settings.rotateEvery(),
                    settings.latency().toMillis(), runtime.answerDelay().toMillis(), runtime.spentTokenRevokes(),
                    runtime.reuseGrace().toSeconds());
        }
    }
}
