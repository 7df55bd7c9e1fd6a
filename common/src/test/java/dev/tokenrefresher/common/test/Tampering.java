package dev.tokenrefresher.common.test;

import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Changes stored ciphertexts the way an attacker, a bad restore or a removed key would leave them unreadable. */
public final class Tampering {

    private Tampering() {
    }

    /**
     * Flips the lowest bit of the last byte (part of the AEAD tag) of one encrypted column of a connection.
     *
     * @param column {@code access_token_enc}, {@code refresh_token_enc} or {@code realm_id_enc}
     */
    public static void flipLastBit(JdbcClient jdbc, UUID connectionId, String column) {
        if (!column.matches("(access_token|refresh_token|realm_id)_enc")) {
            throw new IllegalArgumentException("not an encrypted column of connection: " + column);
        }
        int changed = jdbc.sql("UPDATE connection SET " + column + " = set_byte(" + column + ", length(" + column
                + ") - 1, get_byte(" + column + ", length(" + column + ") - 1) # 1) WHERE id = :id")
                .param("id", connectionId)
                .update();
        if (changed != 1) {
            throw new IllegalStateException("no connection " + connectionId + " to tamper with");
        }
    }
}
