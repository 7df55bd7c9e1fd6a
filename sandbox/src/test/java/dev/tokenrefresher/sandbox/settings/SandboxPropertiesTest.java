package dev.tokenrefresher.sandbox.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class SandboxPropertiesTest {

    private static SandboxProperties bind(Map<String, String> properties) {
        return new Binder(new MapConfigurationPropertySource(properties)).bindOrCreate("sandbox",
                SandboxProperties.class);
    }

    @Test
    void nothingConfiguredMeansIntuitLikeDefaults() {
        SandboxProperties properties = bind(Map.of());

        assertThat(properties).isEqualTo(SandboxProperties.defaults());
        assertThat(properties.clientId()).isEqualTo("sandbox-client");
        assertThat(properties.clientSecret()).isEqualTo("sandbox-secret");
        assertThat(properties.accessTokenLifetime()).isEqualTo(Duration.ofSeconds(3600));
        assertThat(properties.refreshTokenLifetime()).isEqualTo(Duration.ofDays(100));
        assertThat(properties.refreshTokenHardLifetime()).isEqualTo(Duration.ofDays(5 * 365));
        assertThat(properties.rotateEvery()).isEqualTo(1);
        assertThat(properties.latency()).isEqualTo(Duration.ZERO);
    }

    @Test
    void configuredValuesBindFromKebabCaseNames() {
        SandboxProperties properties = bind(Map.of("sandbox.client-id", "c", "sandbox.client-secret", "s",
                "sandbox.access-token-lifetime", "8s", "sandbox.refresh-token-lifetime", "1h",
                "sandbox.refresh-token-hard-lifetime", "2h", "sandbox.rotate-every", "0", "sandbox.latency", "50ms"));

        assertThat(properties).isEqualTo(new SandboxProperties("c", "s", Duration.ofSeconds(8), Duration.ofHours(1),
                Duration.ofHours(2), 0, Duration.ofMillis(50)));
    }

    @Test
    void negativeValuesAreRejectedAtStartup() {
        assertThatThrownBy(() -> bind(Map.of("sandbox.rotate-every", "-1"))).isInstanceOf(BindException.class)
                .hasRootCauseMessage("sandbox.rotate-every must be zero or positive, was -1");
        assertThatThrownBy(() -> bind(Map.of("sandbox.latency", "-1s"))).isInstanceOf(BindException.class)
                .rootCause()
                .hasMessageContaining("sandbox.latency");
    }
}
