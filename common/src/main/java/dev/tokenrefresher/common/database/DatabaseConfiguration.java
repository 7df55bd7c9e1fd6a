package dev.tokenrefresher.common.database;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/** The connection pool's time limits. */
@Configuration(proxyBeanMethods = false)
public class DatabaseConfiguration {

    /**
     * Static, and bound by hand: a bean post-processor is created before other beans, so it cannot wait for the
     * configuration-properties beans.
     */
    @Bean
    static DatabaseTimeouts databaseTimeouts(Environment environment) {
        return new DatabaseTimeouts(Binder.get(environment).bind("refresher.database", DatabaseProperties.class)
                .orElseGet(() -> new DatabaseProperties(null, null)));
    }
}
