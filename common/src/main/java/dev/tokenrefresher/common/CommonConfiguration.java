package dev.tokenrefresher.common;

import dev.tokenrefresher.common.connection.ConnectionPersistenceConfiguration;
import dev.tokenrefresher.common.crypto.CryptoConfiguration;
import dev.tokenrefresher.common.database.DatabaseConfiguration;
import dev.tokenrefresher.common.handoff.HandoffConfiguration;
import dev.tokenrefresher.common.keys.KeysConfiguration;
import dev.tokenrefresher.common.messaging.MessagingConfiguration;
import dev.tokenrefresher.common.provider.ProviderConfiguration;
import dev.tokenrefresher.common.time.ClockConfiguration;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/** Everything the scheduler and the workers share; each app imports this. */
@Configuration(proxyBeanMethods = false)
@Import({DatabaseConfiguration.class, CryptoConfiguration.class, ConnectionPersistenceConfiguration.class,
        ProviderConfiguration.class,
        MessagingConfiguration.class, HandoffConfiguration.class, KeysConfiguration.class, ClockConfiguration.class})
public class CommonConfiguration {
}
