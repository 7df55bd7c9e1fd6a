package dev.tokenrefresher.scheduler;

import dev.tokenrefresher.common.CommonConfiguration;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Import;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * The control plane: registers connections and publishes their first delayed refresh, and sweeps for lost chains. It
 * never refreshes on the hot path; the workers do.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
@Import(CommonConfiguration.class)
public class SchedulerApplication {

    public static void main(String[] args) {
        SpringApplication.run(SchedulerApplication.class, args);
    }
}
