package dev.tokenrefresher.common.crypto;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The token cipher, from the keys in {@code refresher.crypto}. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(CryptoProperties.class)
public class CryptoConfiguration {

    @Bean
    TokenCipher tokenCipher(CryptoProperties properties) {
        return new TokenCipher(properties);
    }
}
