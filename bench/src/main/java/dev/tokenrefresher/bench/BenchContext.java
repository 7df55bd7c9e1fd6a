package dev.tokenrefresher.bench;

import dev.tokenrefresher.common.CommonConfiguration;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;

/**
 * The benchmark's own Spring context: the shared persistence, crypto, provider and messaging beans, as the apps have
 * them, to seed connections, publish messages and run the cron-sweep baselines with the same code paths.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(CommonConfiguration.class)
class BenchContext {
}
