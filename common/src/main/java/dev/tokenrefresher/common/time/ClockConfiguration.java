package dev.tokenrefresher.common.time;

import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The one source of app time: the system clock in UTC, set off by {@code refresher.clock.skew} if asked to. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ClockProperties.class)
public class ClockConfiguration {

    private static final Logger log = LoggerFactory.getLogger(ClockConfiguration.class);

    /** Tests replace it to control time. */
    @Bean
    @ConditionalOnMissingBean
    Clock clock(ClockProperties properties) {
        if (properties.skew().isZero()) {
            return Clock.systemUTC();
        }
        log.warn("this app's clock is skewed by {} (refresher.clock.skew): it schedules by that clock; leases follow "
                + "the database's", properties.skew());
        return Clock.offset(Clock.systemUTC(), properties.skew());
    }
}
