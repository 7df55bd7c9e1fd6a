package dev.tokenrefresher.common.crypto;

import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Keys for encrypting tokens at rest ({@code refresher.crypto.*}).
 *
 * <p>Keys come from configuration or the environment, never from code: for example
 * {@code REFRESHER_CRYPTO_KEYS_K1=<base64 of 32 random bytes>} and {@code REFRESHER_CRYPTO_PRIMARYKEYID=k1}. To rotate,
 * add a new key, make it primary, and keep the old one until every row was re-encrypted by a refresh.
 *
 * @param primaryKeyId the id of the key that encrypts new values; it must be one of {@code keys}
 * @param keys key id to base64-encoded AES-256 key (32 bytes); every key that may have encrypted a stored value must
 *            stay here so that old values can still be read
 */
@ConfigurationProperties("refresher.crypto")
public record CryptoProperties(String primaryKeyId, Map<String, String> keys) {

    public CryptoProperties {
        keys = keys == null ? Map.of() : Map.copyOf(keys);
    }
}
