package dev.tokenrefresher.common.connection;

import java.util.UUID;

/**
 * The encrypted columns of one connection as stored, with what the re-encryption job needs to rewrite them safely.
 *
 * @param realmId {@code null} for providers without a realm (company) id
 * @param fence the refresh fence as read: an undecryptable ACTIVE row is parked only while it is unchanged
 * @param active whether the connection is ACTIVE and has a refresh scheduled, so that parking it stops its chain
 */
public record EncryptedValues(UUID id, String provider, String tenantId, long fence, boolean active, byte[] realmId,
        byte[] accessToken, byte[] refreshToken) {

    /** Ciphertexts are not secrets, but they are long: the id says which row. */
    @Override
    public String toString() {
        return "EncryptedValues[id=" + id + ", fence=" + fence + "]";
    }
}
