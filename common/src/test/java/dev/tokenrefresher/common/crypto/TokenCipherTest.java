package dev.tokenrefresher.common.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class TokenCipherTest {

    private static final String KEY_1 = randomKey();
    private static final String KEY_2 = randomKey();
    private final UUID rowId = UUID.randomUUID();
    private final CipherBinding refreshTokenColumn = CipherBinding.connection(rowId, "refresh_token");

    @Test
    void encryptedValueDecryptsToTheOriginalAndDoesNotContainIt() {
        TokenCipher cipher = new TokenCipher(new CryptoProperties("k1", Map.of("k1", KEY_1)));

        byte[] sealed = cipher.encrypt("sbx_rt_secret-value", refreshTokenColumn);

        assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("secret-value");
        assertThat(cipher.decrypt(sealed, refreshTokenColumn)).isEqualTo("sbx_rt_secret-value");
        assertThat(TokenCipher.keyIdOf(sealed)).isEqualTo("k1");
    }

    @Test
    void sameValueEncryptsDifferentlyEachTime() {
        TokenCipher cipher = new TokenCipher(new CryptoProperties("k1", Map.of("k1", KEY_1)));

        assertThat(cipher.encrypt("v", refreshTokenColumn)).isNotEqualTo(cipher.encrypt("v", refreshTokenColumn));
    }

    @Test
    void valueMovedToAnotherColumnOrRowFailsToDecrypt() {
        TokenCipher cipher = new TokenCipher(new CryptoProperties("k1", Map.of("k1", KEY_1)));
        byte[] sealed = cipher.encrypt("token", refreshTokenColumn);

        assertThatThrownBy(() -> cipher.decrypt(sealed, CipherBinding.connection(rowId, "access_token")))
                .isInstanceOf(TokenDecryptionException.class).hasMessageContaining("authentication failed");
        assertThatThrownBy(() -> cipher.decrypt(sealed, CipherBinding.connection(UUID.randomUUID(), "refresh_token")))
                .isInstanceOf(TokenDecryptionException.class);
    }

    @Test
    void rotatedKeysStillDecryptOldValuesWhileNewValuesUseThePrimary() {
        byte[] old = new TokenCipher(new CryptoProperties("k1", Map.of("k1", KEY_1))).encrypt("old",
                refreshTokenColumn);
        TokenCipher rotated = new TokenCipher(new CryptoProperties("k2", Map.of("k1", KEY_1, "k2", KEY_2)));

        assertThat(rotated.decrypt(old, refreshTokenColumn)).isEqualTo("old");
        assertThat(TokenCipher.keyIdOf(rotated.encrypt("new", refreshTokenColumn))).isEqualTo("k2");
    }

    @Test
    void valueUnderARemovedKeyNamesTheMissingKeyButNotTheValue() {
        byte[] old = new TokenCipher(new CryptoProperties("k1", Map.of("k1", KEY_1))).encrypt("old-token",
                refreshTokenColumn);
        TokenCipher withoutK1 = new TokenCipher(new CryptoProperties("k2", Map.of("k2", KEY_2)));

        assertThatThrownBy(() -> withoutK1.decrypt(old, refreshTokenColumn))
                .isInstanceOf(TokenDecryptionException.class)
                .hasMessageContaining("'k1'")
                .hasMessageNotContaining("old-token");
    }

    @Test
    void missingOrBadKeyConfigurationIsRefusedWithAClearMessage() {
        assertThatThrownBy(() -> new TokenCipher(new CryptoProperties(null, Map.of())))
                .isInstanceOf(InvalidKeyConfigurationException.class).hasMessageContaining("refresher.crypto.keys");
        assertThatThrownBy(() -> new TokenCipher(new CryptoProperties("k9", Map.of("k1", KEY_1))))
                .hasMessageContaining("'k9' names no configured key");
        assertThatThrownBy(() -> new TokenCipher(new CryptoProperties("k1", Map.of("k1", "c2hvcnQ="))))
                .hasMessageContaining("AES-256 needs 32");
        assertThatThrownBy(() -> new TokenCipher(new CryptoProperties("k1", Map.of("k1", "***"))))
                .hasMessageContaining("not valid base64");
    }

    private static String randomKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }
}
