package dev.tokenrefresher.common.keys;

import dev.tokenrefresher.common.connection.KeyRewrites;
import dev.tokenrefresher.common.connection.PendingDeadLetters;
import dev.tokenrefresher.common.connection.RefreshOutcomes;
import dev.tokenrefresher.common.crypto.TokenCipher;
import dev.tokenrefresher.common.messaging.RefreshMessageCodec;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Key management shared by the apps: parking what cannot be decrypted, rewriting values under the primary key. */
@Configuration(proxyBeanMethods = false)
public class KeysConfiguration {

    @Bean
    UndecryptableConnections undecryptableConnections(RefreshOutcomes outcomes, KeyRewrites rewrites,
            PendingDeadLetters pending, RefreshMessageCodec codec, Clock clock) {
        return new UndecryptableConnections(outcomes, rewrites, pending, codec, clock);
    }

    @Bean
    KeyRewriter keyRewriter(KeyRewrites rewrites, TokenCipher cipher, UndecryptableConnections undecryptable) {
        return new KeyRewriter(rewrites, cipher, undecryptable);
    }
}
