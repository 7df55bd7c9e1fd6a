package dev.tokenrefresher.common.connection;

import dev.tokenrefresher.common.crypto.TokenCipher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.jdbc.repository.config.EnableJdbcRepositories;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/** The connection store and its repositories. */
@Configuration(proxyBeanMethods = false)
@EnableJdbcRepositories(basePackageClasses = ConnectionRepository.class)
public class ConnectionPersistenceConfiguration {

    @Bean
    ConnectionStore connectionStore(JdbcClient jdbc, TransactionTemplate transactions,
            ConnectionRepository repository, TokenCipher cipher) {
        return new ConnectionStore(jdbc, transactions, repository, cipher);
    }

    @Bean
    ConnectionQueries connectionQueries(JdbcClient jdbc) {
        return new ConnectionQueries(jdbc);
    }
}
