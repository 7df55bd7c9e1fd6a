package dev.tokenrefresher.scheduler;

import dev.tokenrefresher.common.CommonConfiguration;
import dev.tokenrefresher.common.resilience.ResilienceConfiguration;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * The control plane: registers connections and publishes their first delayed refresh, and sweeps for lost chains. It
 * never refreshes on the hot path; the workers do.
 */
// No user store: callers authenticate with API keys (security.SecurityConfiguration), and Boot's default user would
// log a generated password.
@SpringBootApplication(exclude = UserDetailsServiceAutoConfiguration.class)
@ConfigurationPropertiesScan
@EnableScheduling
@Import({CommonConfiguration.class, ResilienceConfiguration.class})
public class SchedulerApplication {

    public static void main(String[] args) {
        SpringApplication.run(SchedulerApplication.class, args);
    }
}
