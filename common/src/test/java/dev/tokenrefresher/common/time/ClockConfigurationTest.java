package dev.tokenrefresher.common.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class ClockConfigurationTest {

    private final ApplicationContextRunner context = new ApplicationContextRunner().withUserConfiguration(
            ClockConfiguration.class);

    @Test
    void theAppsClockIsTheSystemClockInUtcByDefault() {
        context.run(app -> assertThat(app.getBean(Clock.class)).isEqualTo(Clock.systemUTC()));
    }

    @Test
    void aConfiguredSkewSetsTheAppsClockOffTheMachinesByThatMuch() {
        context.withPropertyValues("refresher.clock.skew=-2m").run(app -> {
            Instant machine = Instant.now();
            Duration off = Duration.between(machine, app.getBean(Clock.class).instant());
            assertThat(off).isBetween(Duration.ofMinutes(-2), Duration.ofMinutes(-2).plusSeconds(1));
        });
    }
}
