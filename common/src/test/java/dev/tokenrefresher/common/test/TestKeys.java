package dev.tokenrefresher.common.test;

import dev.tokenrefresher.common.connection.NewConnection;
import dev.tokenrefresher.common.crypto.CipherBinding;
import dev.tokenrefresher.common.crypto.CryptoProperties;
import dev.tokenrefresher.common.crypto.TokenCipher;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Encryption keys and stored values for key-management tests. */
public final class TestKeys {

    private static final SecureRandom RANDOM = new SecureRandom();

    private TestKeys() {
    }

    /** A fresh AES-256 key as configuration takes it: base64 of 32 random bytes. */
    public static String randomKey() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    /**
     * Stores a registered connection's values as a build before issue 20 wrote them: ciphertext format 1 under the test
     * services' key.
     */
    public static void storeInLegacyFormat(JdbcClient jdbc, UUID id, NewConnection connection) {
        TokenCipher legacy = new TokenCipher(new CryptoProperties("test", TestServices.get().cryptoProperties()
                .keys(), TokenCipher.LEGACY_FORMAT));
        jdbc.sql("UPDATE connection SET realm_id_enc = :realm, access_token_enc = :access, refresh_token_enc = "
                + ":refresh WHERE id = :id")
                .param("realm", legacy.encrypt(connection.realmId(), CipherBinding.connection(id, "realm_id")))
                .param("access", legacy.encrypt(connection.accessToken(), CipherBinding.connection(id,
                        "access_token")))
                .param("refresh", legacy.encrypt(connection.refreshToken(), CipherBinding.connection(id,
                        "refresh_token")))
                .param("id", id)
                .update();
    }
}
