package dev.tokenrefresher.common.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts tokens and realm ids with AES-256-GCM under a key id, bound to their row and column.
 *
 * <p>A ciphertext is {@code version(1) | keyIdLength(1) | keyId | nonce(12) | ciphertext+tag(16)}. The key id travels
 * with the value so that keys can rotate: new values use the primary key, old values are read with the key they name.
 * Nonces are random; at 2^32 encryptions per key the collision risk stays below NIST's bound, which is far beyond a
 * key's life here (rotate keys yearly).
 *
 * <p>Key ids are matched without regard to case. Spring's relaxed binding lower-cases map keys that come from
 * environment variables ({@code REFRESHER_CRYPTO_KEYS_MYKEY} binds key id {@code mykey}) but not the primary key id's
 * value, nor keys from a YAML file: {@code REFRESHER_CRYPTO_PRIMARYKEYID=MYKEY} must name that key, and a value
 * written as {@code K1} while the key came from YAML must stay readable once it comes from the environment. New values
 * carry the id as the key was configured, so that whatever read them before still reads them.
 */
public final class TokenCipher {

    private static final byte FORMAT_VERSION = 1;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final int KEY_BYTES = 32;
    private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9_-]{1,32}");
    private static final String TRANSFORMATION = "AES/GCM/NoPadding";

    /** By key id in lower case. */
    private final Map<String, SecretKey> keys;
    private final String primaryKeyId;
    private final byte[] primaryKeyIdBytes;
    private final SecureRandom random = new SecureRandom();

    public TokenCipher(CryptoProperties properties) {
        if (properties.keys().isEmpty()) {
            throw new InvalidKeyConfigurationException(
                    "no encryption key configured: set refresher.crypto.keys.<id> (base64 of 32 random bytes) "
                            + "and refresher.crypto.primary-key-id, e.g. REFRESHER_CRYPTO_KEYS_K1 and REFRESHER_CRYPTO_PRIMARYKEYID=k1");
        }
        Map<String, SecretKey> parsed = new HashMap<>();
        Map<String, String> configuredIds = new HashMap<>();
        properties.keys().forEach((id, encoded) -> {
            String caseless = caseless(id);
            String other = configuredIds.putIfAbsent(caseless, id);
            if (other != null) {
                throw new InvalidKeyConfigurationException("key ids '" + other + "' and '" + id
                        + "' differ only in case; key ids are matched without regard to case");
            }
            parsed.put(caseless, parseKey(id, encoded));
        });
        String primary = properties.primaryKeyId();
        if (primary == null || primary.isBlank()) {
            throw new InvalidKeyConfigurationException(
                    "refresher.crypto.primary-key-id is not set; configured key ids: "
                            + properties.keys().keySet());
        }
        String configuredPrimary = configuredIds.get(caseless(primary));
        if (configuredPrimary == null) {
            throw new InvalidKeyConfigurationException("refresher.crypto.primary-key-id '" + primary
                    + "' names no configured key; configured key ids: " + properties.keys().keySet());
        }
        this.keys = Map.copyOf(parsed);
        this.primaryKeyId = configuredPrimary;
        this.primaryKeyIdBytes = configuredPrimary.getBytes(StandardCharsets.US_ASCII);
    }

    private static String caseless(String keyId) {
        return keyId.toLowerCase(Locale.ROOT);
    }

    private static SecretKey parseKey(String id, String encoded) {
        if (!KEY_ID.matcher(id).matches()) {
            throw new InvalidKeyConfigurationException("key id '" + id + "' must be 1 to 32 of [A-Za-z0-9_-]");
        }
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(encoded == null ? "" : encoded.trim());
        } catch (IllegalArgumentException e) {
            throw new InvalidKeyConfigurationException("key '" + id + "' is not valid base64");
        }
        if (raw.length != KEY_BYTES) {
            throw new InvalidKeyConfigurationException("key '" + id + "' has " + raw.length + " bytes; AES-256 needs "
                    + KEY_BYTES);
        }
        return new SecretKeySpec(raw, "AES");
    }

    /** The id of the key that encrypts new values. */
    public String primaryKeyId() {
        return primaryKeyId;
    }

    public byte[] encrypt(String plaintext, CipherBinding binding) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance(TRANSFORMATION);
            cipher.init(Cipher.ENCRYPT_MODE, keys.get(caseless(primaryKeyId)), new GCMParameterSpec(TAG_BITS,
                    nonce));
            cipher.updateAAD(binding.associatedData());
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.allocate(2 + primaryKeyIdBytes.length + NONCE_BYTES + sealed.length)
                    .put(FORMAT_VERSION)
                    .put((byte) primaryKeyIdBytes.length)
                    .put(primaryKeyIdBytes)
                    .put(nonce)
                    .put(sealed)
                    .array();
        } catch (GeneralSecurityException e) {
            // Only a broken JCA provider gets here; the cause carries no plaintext.
            throw new IllegalStateException("AES-GCM is unavailable on this JVM", e);
        }
    }

    public String decrypt(byte[] ciphertext, CipherBinding binding) {
        if (ciphertext == null || ciphertext.length < 2 || ciphertext[0] != FORMAT_VERSION) {
            throw new TokenDecryptionException(binding.toString(), "not a token-refresher ciphertext (format version)");
        }
        ByteBuffer buffer = ByteBuffer.wrap(ciphertext);
        buffer.get();
        int keyIdLength = buffer.get();
        if (keyIdLength <= 0 || buffer.remaining() < keyIdLength + NONCE_BYTES + TAG_BITS / 8) {
            throw new TokenDecryptionException(binding.toString(), "truncated ciphertext");
        }
        byte[] keyIdBytes = new byte[keyIdLength];
        buffer.get(keyIdBytes);
        String keyId = new String(keyIdBytes, StandardCharsets.US_ASCII);
        SecretKey key = keys.get(caseless(keyId));
        if (key == null) {
            throw new TokenDecryptionException(binding.toString(), "encrypted with key '" + keyId
                    + "', which is not configured");
        }
        byte[] nonce = new byte[NONCE_BYTES];
        buffer.get(nonce);
        try {
            Cipher cipher = Cipher.getInstance(TRANSFORMATION);
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(binding.associatedData());
            byte[] plain = cipher.doFinal(ciphertext, buffer.position(), buffer.remaining());
            return new String(plain, StandardCharsets.UTF_8);
        } catch (AEADBadTagException e) {
            throw new TokenDecryptionException(binding.toString(),
                    "authentication failed (wrong key, or the value belongs to another row or column)");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is unavailable on this JVM", e);
        }
    }

    /** Which key encrypted a stored value; lets operators find rows still under a retired key. */
    public static String keyIdOf(byte[] ciphertext) {
        if (ciphertext == null || ciphertext.length < 2 || ciphertext[0] != FORMAT_VERSION) {
            return "unknown";
        }
        int length = ciphertext[1];
        if (length <= 0 || ciphertext.length < 2 + length) {
            return "unknown";
        }
        return new String(ciphertext, 2, length, StandardCharsets.US_ASCII);
    }
}
