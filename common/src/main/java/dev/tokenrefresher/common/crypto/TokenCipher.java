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
 * with the value so that keys can rotate: new values use the primary key, old values are read with the key they name,
 * and the re-encryption job moves them to the primary key.
 *
 * <p>Format 2, written since issue 20: the AES key is not the configured key itself but one derived from it for the
 * value's place, table, row and column ({@link RowKeys}, HKDF-SHA256), so that the random 96-bit nonces of AES-GCM never
 * approach their 2^32-values-per-key bound; and the header, version and key id, is part of the associated data, so
 * that a changed header fails authentication like a changed ciphertext. Format 1 (the configured key used directly,
 * only the place as associated data) is still read, so rows written before stay readable until the re-encryption job
 * has rewritten them; {@code refresher.crypto.write-format=1} keeps writing it while apps of an earlier build, which
 * cannot read format 2, still run.
 *
 * <p>Key ids are matched without regard to case. Spring's relaxed binding lower-cases map keys that come from
 * environment variables ({@code REFRESHER_CRYPTO_KEYS_MYKEY} binds key id {@code mykey}) but not the primary key id's
 * value, nor keys from a YAML file: {@code REFRESHER_CRYPTO_PRIMARYKEYID=MYKEY} must name that key, and a value
 * written as {@code K1} while the key came from YAML must stay readable once it comes from the environment. New values
 * carry the id as the key was configured, so that whatever read them before still reads them.
 */
public final class TokenCipher {

    /** The format of rows written before issue 20: the configured key directly, the header not authenticated. */
    public static final int LEGACY_FORMAT = 1;
    /** Per-place keys derived with HKDF, the header authenticated. */
    public static final int CURRENT_FORMAT = 2;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final int KEY_BYTES = 32;
    private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9_-]{1,32}");
    private static final String TRANSFORMATION = "AES/GCM/NoPadding";

    /** By key id in lower case. */
    private final Map<String, SecretKey> keys;
    private final String primaryKeyId;
    private final byte[] header;
    private final int writeFormat;
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
        int format = properties.writeFormat();
        if (format != LEGACY_FORMAT && format != CURRENT_FORMAT) {
            throw new InvalidKeyConfigurationException("refresher.crypto.write-format is " + format + "; it must be "
                    + CURRENT_FORMAT + " (per-row keys, authenticated header) or " + LEGACY_FORMAT
                    + " (only while apps of a build before issue 20 still run)");
        }
        this.keys = Map.copyOf(parsed);
        this.primaryKeyId = configuredPrimary;
        this.writeFormat = format;
        this.header = header(format, configuredPrimary);
    }

    private static byte[] header(int format, String keyId) {
        byte[] id = keyId.getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(2 + id.length).put((byte) format).put((byte) id.length).put(id).array();
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

    /** The format new values are written in: {@link #CURRENT_FORMAT} unless configured otherwise. */
    public int writeFormat() {
        return writeFormat;
    }

    /**
     * The leading bytes of every value this cipher writes now: format and primary key id. A stored value that does not
     * start with them was written under another key or format, and the re-encryption job rewrites it.
     */
    public byte[] currentHeader() {
        return header.clone();
    }

    public byte[] encrypt(String plaintext, CipherBinding binding) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        SecretKey master = keys.get(caseless(primaryKeyId));
        try {
            Cipher cipher = Cipher.getInstance(TRANSFORMATION);
            if (writeFormat == CURRENT_FORMAT) {
                cipher.init(Cipher.ENCRYPT_MODE, RowKeys.derive(master, binding), new GCMParameterSpec(TAG_BITS,
                        nonce));
                cipher.updateAAD(header);
            } else {
                cipher.init(Cipher.ENCRYPT_MODE, master, new GCMParameterSpec(TAG_BITS, nonce));
            }
            cipher.updateAAD(binding.associatedData());
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.allocate(header.length + NONCE_BYTES + sealed.length)
                    .put(header)
                    .put(nonce)
                    .put(sealed)
                    .array();
        } catch (GeneralSecurityException e) {
            // Only a broken JCA provider gets here; the cause carries no plaintext.
            throw new IllegalStateException("AES-GCM is unavailable on this JVM", e);
        }
    }

    public String decrypt(byte[] ciphertext, CipherBinding binding) {
        int format = ciphertext == null || ciphertext.length < 2 ? -1 : ciphertext[0];
        if (format != LEGACY_FORMAT && format != CURRENT_FORMAT) {
            throw new TokenDecryptionException(binding.toString(), "not a token-refresher ciphertext (format version)");
        }
        int keyIdLength = ciphertext[1];
        int headerLength = 2 + keyIdLength;
        if (keyIdLength <= 0 || ciphertext.length < headerLength + NONCE_BYTES + TAG_BITS / 8) {
            throw new TokenDecryptionException(binding.toString(), "truncated ciphertext");
        }
        String keyId = new String(ciphertext, 2, keyIdLength, StandardCharsets.US_ASCII);
        SecretKey master = keys.get(caseless(keyId));
        if (master == null) {
            throw new TokenDecryptionException(binding.toString(), "encrypted with key '" + keyId
                    + "', which is not configured");
        }
        try {
            Cipher cipher = Cipher.getInstance(TRANSFORMATION);
            GCMParameterSpec nonce = new GCMParameterSpec(TAG_BITS, ciphertext, headerLength, NONCE_BYTES);
            if (format == CURRENT_FORMAT) {
                cipher.init(Cipher.DECRYPT_MODE, RowKeys.derive(master, binding), nonce);
                cipher.updateAAD(ciphertext, 0, headerLength);
            } else {
                cipher.init(Cipher.DECRYPT_MODE, master, nonce);
            }
            cipher.updateAAD(binding.associatedData());
            int sealedStart = headerLength + NONCE_BYTES;
            byte[] plain = cipher.doFinal(ciphertext, sealedStart, ciphertext.length - sealedStart);
            return new String(plain, StandardCharsets.UTF_8);
        } catch (AEADBadTagException e) {
            throw new TokenDecryptionException(binding.toString(), "authentication failed under key '" + keyId
                    + "' (a wrong key, a changed value or header, or a value of another row or column)");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is unavailable on this JVM", e);
        }
    }

    /** Which key encrypted a stored value; lets operators find rows still under a retired key. */
    public static String keyIdOf(byte[] ciphertext) {
        if (ciphertext == null || ciphertext.length < 2 || formatOf(ciphertext) < 0) {
            return "unknown";
        }
        int length = ciphertext[1];
        if (length <= 0 || ciphertext.length < 2 + length) {
            return "unknown";
        }
        return new String(ciphertext, 2, length, StandardCharsets.US_ASCII);
    }

    /** The format a stored value was written in, {@link #LEGACY_FORMAT} or {@link #CURRENT_FORMAT}; -1 if neither. */
    public static int formatOf(byte[] ciphertext) {
        if (ciphertext == null || ciphertext.length < 2) {
            return -1;
        }
        int format = ciphertext[0];
        return format == LEGACY_FORMAT || format == CURRENT_FORMAT ? format : -1;
    }
}
