package dev.tokenrefresher.common.crypto;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Where an encrypted value lives. It is the AEAD's associated data, so a ciphertext copied to another row or column
 * fails to decrypt instead of silently handing one tenant's token to another. Since format 2 it also picks the key:
 * each place has its own, derived from the master key ({@link RowKeys}).
 *
 * @param table the table, e.g. {@code connection}
 * @param rowId the row's id
 * @param column the column, e.g. {@code refresh_token}
 */
public record CipherBinding(String table, UUID rowId, String column) {

    public static CipherBinding connection(UUID connectionId, String column) {
        return new CipherBinding("connection", connectionId, column);
    }

    byte[] associatedData() {
        return ("token-refresher|" + table + "|" + rowId + "|" + column).getBytes(StandardCharsets.UTF_8);
    }

    /** HKDF's info for the key of this place ({@link RowKeys}): the same fields, in another domain. */
    byte[] keyDerivationInfo() {
        return ("token-refresher|row-key|" + table + "|" + rowId + "|" + column).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return table + "/" + rowId + "/" + column;
    }
}
