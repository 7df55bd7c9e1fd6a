package dev.tokenrefresher.worker;

import dev.tokenrefresher.common.CommonConfiguration;
import dev.tokenrefresher.common.resilience.ResilienceConfiguration;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Import;

/** A worker: consumes due refresh messages, refreshes at the provider, stores the tokens, schedules the next refresh. */
@SpringBootApplication
@ConfigurationPropertiesScan
@Import({CommonConfiguration.class, ResilienceConfiguration.class})
public class WorkerApplication {

    public static void main(String[] args) {
        SpringApplication.run(WorkerApplication.class, args);
    }
}
