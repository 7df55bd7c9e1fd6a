package dev.tokenrefresher.sandbox.token;

import dev.tokenrefresher.sandbox.settings.RuntimeSettings;
import java.time.Duration;

/**
 * The lifetimes and rotation policy one refresh is decided under: the run-time settings at that moment plus the fixed
 * rolling lifetime.
 *
 * @param defaultReuseGrace
 *            the reuse grace of connections without one of their own
 */
record RefreshRules(RuntimeSettings.Snapshot settings, Duration refreshTokenLifetime, Duration defaultReuseGrace) {

    /** The rules in force now, for one refresh or one new connection. */
    static RefreshRules current(RuntimeSettings settings, Duration refreshTokenLifetime) {
        return new RefreshRules(settings.current(), refreshTokenLifetime, settings.reuseGrace());
    }

    Duration accessTokenLifetime() {
        return settings.accessTokenLifetime();
    }

    boolean rotatesAfter(int usesOfRefreshToken) {
        return settings.rotatesAfter(usesOfRefreshToken);
    }
}
