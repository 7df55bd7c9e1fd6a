package dev.tokenrefresher.worker.consumer;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** What the work-queue consumers need before any bean opens a connection to the broker. */
@Configuration(proxyBeanMethods = false)
class ConsumerConfiguration {

    /**
     * Static, as a bean post-processor must be: it wraps the connection factory's metrics collector while the factory
     * is created, before the first connection is opened with it.
     */
    @Bean
    static HeldDeliveries heldDeliveries() {
        return new HeldDeliveries();
    }
}
