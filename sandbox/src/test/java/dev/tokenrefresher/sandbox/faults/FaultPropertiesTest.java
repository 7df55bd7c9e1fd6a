package dev.tokenrefresher.sandbox.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class FaultPropertiesTest {

    static FaultProperties bind(Map<String, String> properties) {
        return new Binder(new MapConfigurationPropertySource(properties)).bindOrCreate("sandbox.faults",
                FaultProperties.class);
    }

    @Test
    void nothingConfiguredMeansNoFaults() {
        FaultProperties properties = bind(Map.of());

        assertThat(properties).isEqualTo(FaultProperties.none());
        assertThat(properties.settings()).isEqualTo(
                new FaultSettings(0, 0.0, List.of(500, 502, 503), 0.0, 1, 0.0, 30_000, false, null));
    }

    @Test
    void configuredValuesBindFromKebabCaseNames() {
        FaultProperties properties = bind(Map.of("sandbox.faults.latency-max", "250ms", "sandbox.faults.error-rate",
                "0.25", "sandbox.faults.error-statuses", "502,504", "sandbox.faults.rate-limit-rate", "0.5",
                "sandbox.faults.retry-after", "3", "sandbox.faults.hang-rate", "0.25", "sandbox.faults.hang-duration",
                "1500", "sandbox.faults.invalid-client", "true", "sandbox.faults.seed", "42"));

        assertThat(properties).isEqualTo(new FaultProperties(Duration.ofMillis(250), 0.25, List.of(502, 504), 0.5,
                Duration.ofSeconds(3), 0.25, Duration.ofMillis(1500), true, 42L));
        assertThat(properties.settings()).isEqualTo(
                new FaultSettings(250, 0.25, List.of(502, 504), 0.5, 3, 0.25, 1500, true, 42L));
    }

    @Test
    void outOfRangeValuesStopTheStartNamingTheProperty() {
        Map<String, String> refusals = Map.of(
                "sandbox.faults.error-rate=1.5", "sandbox.faults.error-rate must be between 0.0 and 1.0, was 1.5",
                "sandbox.faults.error-statuses=500,200",
                "sandbox.faults.error-statuses must be between 400 and 599, was 200",
                "sandbox.faults.retry-after=1500ms", "sandbox.faults.retry-after must be whole seconds, was PT1.5S",
                "sandbox.faults.hang-duration=-1s",
                "sandbox.faults.hang-duration must be between 0 and PT24H, was PT-1S",
                "sandbox.faults.hang-rate=0.75",
                "sandbox.faults.error-rate + sandbox.faults.rate-limit-rate + sandbox.faults.hang-rate must not"
                        + " exceed 1.0, was 1.25 (0.5 + 0.0 + 0.75)");

        refusals.forEach((property, message) -> {
            String[] nameAndValue = property.split("=", 2);
            Map<String, String> properties = nameAndValue[0].endsWith("hang-rate")
                    ? Map.of(nameAndValue[0], nameAndValue[1], "sandbox.faults.error-rate", "0.5")
                    : Map.of(nameAndValue[0], nameAndValue[1]);
            assertThatThrownBy(() -> bind(properties)).as(property)
                    .isInstanceOf(BindException.class)
                    .hasRootCauseMessage(message);
        });
    }
}
