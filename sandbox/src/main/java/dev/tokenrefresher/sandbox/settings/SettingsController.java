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
            Long answerDelayMillis, Boolean spentTokenRevokes) {
    }

    /**
     * @param answerDelayMillis how long a successful refresh's answer is held after the rotation
     * @param spentTokenRevokes whether revoking a rotated-away refresh token revokes the chain
     */
    record SettingsView(long accessTokenLifetimeSeconds, int rotateEvery, long latencyMillis,
            long answerDelayMillis, boolean spentTokenRevokes) {

        static SettingsView of(RuntimeSettings runtime, RuntimeSettings.Snapshot settings) {
            return new SettingsView(settings.accessTokenLifetime().toSeconds(), settings.rotateEvery(),
                    settings.latency().toMillis(), runtime.answerDelay().toMillis(), runtime.spentTokenRevokes());
        }
    }
}
