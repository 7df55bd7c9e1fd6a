package dev.tokenrefresher.common.connection;

import dev.tokenrefresher.common.crypto.TokenCipher;
import dev.tokenrefresher.common.messaging.MessagingProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.jdbc.repository.config.EnableJdbcRepositories;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/** The connection table's stores, one per concern, and its repositories. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(MessagingProperties.class)
@EnableJdbcRepositories(basePackageClasses = ConnectionRepository.class)
public class ConnectionPersistenceConfiguration {

    @Bean
    ConnectionStore connectionStore(JdbcClient jdbc, TransactionTemplate transactions,
            ConnectionRepository repository, TokenCipher cipher) {
        return new ConnectionStore(jdbc, transactions, repository, cipher);
    }

    @Bean
    ConnectionClaims connectionClaims(JdbcClient jdbc, TokenCipher cipher, MessagingProperties messaging) {
        return new ConnectionClaims(jdbc, cipher, messaging.prefix());
    }

    @Bean
    RefreshOutcomes refreshOutcomes(JdbcClient jdbc, TokenCipher cipher) {
        return new RefreshOutcomes(jdbc, cipher);
    }

    @Bean
    PendingDeadLetters pendingDeadLetters(JdbcClient jdbc, TransactionTemplate transactions) {
        return new PendingDeadLetters(jdbc, transactions);
    }

    @Bean
    OverdueConnections overdueConnections(JdbcClient jdbc, TransactionTemplate transactions) {
        return new OverdueConnections(jdbc, transactions);
    }

    @Bean
    KeyRewrites keyRewrites(JdbcClient jdbc) {
        return new KeyRewrites(jdbc);
    }

    @Bean
    ConnectionQueries connectionQueries(JdbcClient jdbc) {
        return new ConnectionQueries(jdbc);
    }
}
