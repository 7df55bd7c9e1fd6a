package dev.tokenrefresher.sandbox;

import java.time.Clock;

import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class ClockConfiguration {

    /**
     * Conditional so that a test can put in a controllable clock, by registering its own {@link Clock} bean from an
     * initializer before the context refreshes.
     */
    @Bean
    @ConditionalOnMissingBean
    Clock sandboxClock() {
        return Clock.systemUTC();
    }
}
