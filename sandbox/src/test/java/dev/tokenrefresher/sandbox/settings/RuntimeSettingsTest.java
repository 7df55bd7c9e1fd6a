package dev.tokenrefresher.sandbox.settings;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RuntimeSettingsTest {

    private final RuntimeSettings settings = new RuntimeSettings(SandboxProperties.defaults());

    @Test
    void startsFromTheConfiguredProperties() {
        assertThat(settings.current()).isEqualTo(new RuntimeSettings.Snapshot(Duration.ofSeconds(3600), 1,
                Duration.ZERO));
    }

    @Test
    void changeKeepsEveryValueGivenAsNull() {
        settings.change(null, 5, null);
        settings.change(Duration.ofSeconds(8), null, null);

        assertThat(settings.current()).isEqualTo(new RuntimeSettings.Snapshot(Duration.ofSeconds(8), 5,
                Duration.ZERO));
    }

    @Test
    void rotationHappensOnTheNthUseAndNeverForZero() {
        assertThat(new RuntimeSettings.Snapshot(Duration.ZERO, 1, Duration.ZERO).rotatesAfter(1)).isTrue();
        assertThat(new RuntimeSettings.Snapshot(Duration.ZERO, 3, Duration.ZERO).rotatesAfter(2)).isFalse();
        assertThat(new RuntimeSettings.Snapshot(Duration.ZERO, 3, Duration.ZERO).rotatesAfter(3)).isTrue();
        assertThat(new RuntimeSettings.Snapshot(Duration.ZERO, 0, Duration.ZERO).rotatesAfter(1000)).isFalse();
    }
}
