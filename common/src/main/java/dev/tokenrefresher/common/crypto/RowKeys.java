package dev.tokenrefresher.common.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * Derives one AES-256 key per stored value's place (table, row, column) from a master key with HKDF-SHA256 (RFC 5869).
 *
 * <p>Why: AES-GCM with random 96-bit nonces may encrypt only about 2^32 values under one key before a nonce collision
 * becomes likelier than NIST allows, and one collision reveals the XOR of two plaintexts and lets an attacker forge
 * tags. One master key at 1,000,000 QuickBooks connections (two tokens, 24 refreshes a day) reaches 2^32 in about 70
 * days. A key per place is used only by the writes of that one column of that one row: one per refresh, some 44,000 in
 * a refresh token's 5-year cap, so the bound is out of reach whatever the number of connections or keys' ages.
 *
 * <p>The JDK has HKDF only from Java 24 ({@code javax.crypto.KDF}); the build targets release 21, so it is written out
 * here: for a 32-byte output one extract and one expand step, two HMACs.
 */
final class RowKeys {

    private static final String HMAC = "HmacSHA256";
    /** RFC 5869 allows a fixed, non-secret salt; it separates these keys from any other use of the master key. */
    private static final byte[] SALT = "token-refresher/row-key/v2".getBytes(StandardCharsets.US_ASCII);
    private static final int KEY_BYTES = 32;

    private RowKeys() {
    }

    /** The key for values bound to {@code binding}, under {@code master}. */
    static SecretKey derive(SecretKey master, CipherBinding binding) {
        byte[] okm = hkdf(master.getEncoded(), SALT, binding.keyDerivationInfo(), KEY_BYTES);
        return new SecretKeySpec(okm, "AES");
    }

    /** HKDF-SHA256 for outputs of up to one hash length (32 bytes). */
    static byte[] hkdf(byte[] inputKey, byte[] salt, byte[] info, int length) {
        if (length < 1 || length > KEY_BYTES) {
            throw new IllegalArgumentException("this HKDF produces 1 to 32 bytes, not " + length);
        }
        try {
            Mac extract = Mac.getInstance(HMAC);
            extract.init(new SecretKeySpec(salt.length == 0 ? new byte[KEY_BYTES] : salt, HMAC));
            byte[] prk = extract.doFinal(inputKey);
            Mac expand = Mac.getInstance(HMAC);
            expand.init(new SecretKeySpec(prk, HMAC));
            expand.update(info);
            expand.update((byte) 1);
            byte[] block = expand.doFinal();
            if (length == block.length) {
                return block;
            }
            byte[] okm = new byte[length];
            System.arraycopy(block, 0, okm, 0, length);
            return okm;
        } catch (InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA256 refused a key", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is unavailable on this JVM", e);
        }
    }
}
