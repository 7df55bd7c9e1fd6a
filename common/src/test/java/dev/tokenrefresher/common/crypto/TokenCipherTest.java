package dev.tokenrefresher.common.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

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

    @Test
    void keysFromEnvironmentVariablesWorkWhateverTheCaseOfTheirIds() {
        // relaxed binding lower-cases the map key from the variable's name, not the primary key id's value
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, Map.of(
                        "REFRESHER_CRYPTO_KEYS_MYKEY", KEY_1, "REFRESHER_CRYPTO_PRIMARYKEYID", "MYKEY")));
        CryptoProperties bound = Binder.get(environment).bind("refresher.crypto", CryptoProperties.class).get();
        assertThat(bound.keys()).containsOnlyKeys("mykey");

        TokenCipher cipher = new TokenCipher(bound);

        byte[] sealed = cipher.encrypt("secret", refreshTokenColumn);
        assertThat(cipher.decrypt(sealed, refreshTokenColumn)).isEqualTo("secret");
        assertThat(TokenCipher.keyIdOf(sealed)).as("the id as the key was configured").isEqualTo("mykey");
    }

    @Test
    void valuesWrittenUnderAnUpperCaseKeyIdStayReadableOnceTheKeyComesFromTheEnvironment() {
        byte[] stored = new TokenCipher(new CryptoProperties("K1", Map.of("K1", KEY_1))).encrypt("old",
                refreshTokenColumn);
        TokenCipher fromEnvironment = new TokenCipher(new CryptoProperties("K1", Map.of("k1", KEY_1)));

        assertThat(fromEnvironment.decrypt(stored, refreshTokenColumn)).isEqualTo("old");
        assertThat(new TokenCipher(new CryptoProperties("K1", Map.of("K1", KEY_1))).decrypt(fromEnvironment.encrypt(
                "new", refreshTokenColumn), refreshTokenColumn)).as("and what it writes, for an app still reading "
                        + "the key from YAML")
                .isEqualTo("new");
    }

    @Test
    void keyIdsThatDifferOnlyInCaseAreRefused() {
        assertThatThrownBy(() -> new TokenCipher(new CryptoProperties("k1", Map.of("k1", KEY_1, "K1", KEY_2))))
                .isInstanceOf(InvalidKeyConfigurationException.class)
                .hasMessageContaining("differ only in case")
                .hasMessageNotContaining(KEY_1);
    }

    private static String randomKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }
}
