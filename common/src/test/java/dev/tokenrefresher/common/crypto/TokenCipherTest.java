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

    @Test
    void aChangedKeyIdInTheHeaderFailsAuthenticationEvenWhenItNamesTheSameKey() {
        // two ids for one key material: format 1 did not authenticate the id, so a rewritten header went unnoticed
        TokenCipher cipher = new TokenCipher(new CryptoProperties("k1", Map.of("k1", KEY_1, "k9", KEY_1)));
        byte[] sealed = cipher.encrypt("token", refreshTokenColumn);
        byte[] relabelled = sealed.clone();
        relabelled[3] = '9';

        assertThat(TokenCipher.keyIdOf(relabelled)).isEqualTo("k9");
        assertThatThrownBy(() -> cipher.decrypt(relabelled, refreshTokenColumn))
                .isInstanceOf(TokenDecryptionException.class)
                .hasMessageContaining("authentication failed");
    }

    @Test
    void aDowngradedFormatByteFailsAuthentication() {
        TokenCipher cipher = new TokenCipher(new CryptoProperties("k1", Map.of("k1", KEY_1)));
        byte[] sealed = cipher.encrypt("token", refreshTokenColumn);
        byte[] downgraded = sealed.clone();
        downgraded[0] = TokenCipher.LEGACY_FORMAT;

        assertThat(TokenCipher.formatOf(sealed)).isEqualTo(TokenCipher.CURRENT_FORMAT);
        assertThatThrownBy(() -> cipher.decrypt(downgraded, refreshTokenColumn))
                .isInstanceOf(TokenDecryptionException.class)
                .hasMessageContaining("authentication failed");
    }

    @Test
    void valuesOfTheEarlierFormatStayReadableAndNewValuesUseTheCurrentOne() {
        TokenCipher legacyWriter = new TokenCipher(new CryptoProperties("k1", Map.of("k1", KEY_1), 1));
        byte[] legacy = legacyWriter.encrypt("old", refreshTokenColumn);
        TokenCipher cipher = new TokenCipher(new CryptoProperties("k1", Map.of("k1", KEY_1)));

        assertThat(TokenCipher.formatOf(legacy)).isEqualTo(TokenCipher.LEGACY_FORMAT);
        assertThat(cipher.decrypt(legacy, refreshTokenColumn)).isEqualTo("old");
        assertThat(legacyWriter.decrypt(legacy, refreshTokenColumn)).isEqualTo("old");
        assertThat(TokenCipher.formatOf(cipher.encrypt("new", refreshTokenColumn))).isEqualTo(
                TokenCipher.CURRENT_FORMAT);
        assertThat(cipher.currentHeader()).containsExactly(2, 2, 'k', '1');
        assertThat(legacyWriter.currentHeader()).containsExactly(1, 2, 'k', '1');
    }

    @Test
    void eachRowAndColumnIsSealedUnderAKeyOfItsOwn() {
        // the same plaintext, nonce aside, under one master key: a value sealed for one place does not open with the
        // key material of another even when the associated data is forged to match (the derived keys differ)
        CipherBinding other = CipherBinding.connection(UUID.randomUUID(), "refresh_token");
        javax.crypto.SecretKey master = new javax.crypto.spec.SecretKeySpec(Base64.getDecoder().decode(KEY_1), "AES");

        assertThat(RowKeys.derive(master, refreshTokenColumn).getEncoded())
                .isNotEqualTo(RowKeys.derive(master, other).getEncoded())
                .isNotEqualTo(master.getEncoded())
                .isEqualTo(RowKeys.derive(master, refreshTokenColumn).getEncoded());
    }

    @Test
    void hkdfMatchesTheFirstTestVectorOfRfc5869() {
        java.util.HexFormat hex = java.util.HexFormat.of();
        byte[] okm = RowKeys.hkdf(hex.parseHex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"), hex.parseHex(
                "000102030405060708090a0b0c"), hex.parseHex("f0f1f2f3f4f5f6f7f8f9"), 32);

        // the first 32 of the RFC's 42 bytes: its second block is never needed for one AES-256 key
        assertThat(hex.formatHex(okm)).isEqualTo(
                "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf");
    }

    @Test
    void theKeySettingsPrintTheirIdsButNeverAKey() {
        CryptoProperties properties = new CryptoProperties("k2", Map.of("k1", KEY_1, "k2", KEY_2));

        assertThat(properties.toString()).contains("k1", "k2").doesNotContain(KEY_1, KEY_2);
    }

    @Test
    void anUnknownWriteFormatIsRefused() {
        assertThatThrownBy(() -> new TokenCipher(new CryptoProperties("k1", Map.of("k1", KEY_1), 3)))
                .isInstanceOf(InvalidKeyConfigurationException.class)
                .hasMessageContaining("refresher.crypto.write-format is 3");
    }

    private static String randomKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }
}
