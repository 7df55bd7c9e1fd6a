package dev.tokenrefresher.common.crypto;

import java.util.Map;
import java.util.TreeSet;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;

/**
 * Keys for encrypting tokens at rest ({@code refresher.crypto.*}).
 *
 * <p>Keys come from configuration or the environment, never from code: for example
 * {@code REFRESHER_CRYPTO_KEYS_K1=<base64 of 32 random bytes>} and {@code REFRESHER_CRYPTO_PRIMARYKEYID=k1}. To rotate,
 * add a new key, make it primary, let the scheduler's re-encryption job rewrite every row
 * ({@code refresherctl keys status} says when), then remove the old key (docs/operations.md).
 *
 * @param primaryKeyId the id of the key that encrypts new values; it must be one of {@code keys}
 * @param keys key id to base64-encoded AES-256 key (32 bytes); every key that may have encrypted a stored value must
 *            stay here so that old values can still be read
 * @param writeFormat the ciphertext format new values are written in: 2 (default: per-row keys derived with HKDF, the
 *            header authenticated) or 1 (the format of builds before issue 20, which cannot read 2; only during a rolling
 *            upgrade from such a build, then back to 2)
 */
@ConfigurationProperties("refresher.crypto")
public record CryptoProperties(String primaryKeyId, Map<String, String> keys, Integer writeFormat) {

    /** Per-row keys and an authenticated header, {@link TokenCipher#CURRENT_FORMAT}. */
    public static final int DEFAULT_WRITE_FORMAT = TokenCipher.CURRENT_FORMAT;

    /** The one Spring binds: the other is for code and tests. */
    @ConstructorBinding
    public CryptoProperties {
        keys = keys == null ? Map.of() : Map.copyOf(keys);
        writeFormat = writeFormat == null ? DEFAULT_WRITE_FORMAT : writeFormat;
    }

    public CryptoProperties(String primaryKeyId, Map<String, String> keys) {
        this(primaryKeyId, keys, null);
    }

    /** Key ids only: a record's own toString would print every key (a failed bind or a debug log prints it). */
    @Override
    public String toString() {
        return "CryptoProperties[primaryKeyId=" + primaryKeyId + ", keyIds=" + new TreeSet<>(keys.keySet())
                + ", writeFormat=" + writeFormat + "]";
    }
}
