package dev.tokenrefresher.common.keys;

import static dev.tokenrefresher.common.connection.ConnectionStore.ACCESS_TOKEN;
import static dev.tokenrefresher.common.connection.ConnectionStore.REALM_ID;
import static dev.tokenrefresher.common.connection.ConnectionStore.REFRESH_TOKEN;

import dev.tokenrefresher.common.connection.EncryptedValues;
import dev.tokenrefresher.common.connection.KeyRewrites;
import dev.tokenrefresher.common.crypto.CipherBinding;
import dev.tokenrefresher.common.crypto.TokenCipher;
import dev.tokenrefresher.common.crypto.TokenDecryptionException;
import dev.tokenrefresher.common.messaging.DeadLetter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Moves a batch of connections' encrypted values to the primary key and the current format, decrypting each value with
 * the key its header names and encrypting it again for the same place. A row that cannot be decrypted is parked
 * ({@link UndecryptableConnections}) and the batch goes on.
 */
public class KeyRewriter {

    private final KeyRewrites rewrites;
    private final TokenCipher cipher;
    private final UndecryptableConnections undecryptable;

    public KeyRewriter(KeyRewrites rewrites, TokenCipher cipher, UndecryptableConnections undecryptable) {
        this.rewrites = rewrites;
        this.cipher = cipher;
        this.undecryptable = undecryptable;
    }

    /** The next rows to rewrite after {@code after}, in id order. */
    public List<EncryptedValues> next(UUID after, int limit) {
        return rewrites.nextToRewrite(after, cipher.currentHeader(), limit);
    }

    /**
     * Rewrites the rows, each under its own guard (see {@link KeyRewrites#rewrite}).
     *
     * @param settle rows changed less than this ago are left for the next pass
     * @param actor who parks what cannot be decrypted, for the attempt and the letter
     */
    public BatchOutcome rewrite(List<EncryptedValues> rows, Duration settle, String actor) {
        int rewritten = 0;
        int left = 0;
        int undecryptableRows = 0;
        List<DeadLetter> letters = new ArrayList<>();
        for (EncryptedValues row : rows) {
            byte[] realm;
            byte[] access;
            byte[] refresh;
            try {
                realm = row.realmId() == null ? null : again(row.realmId(), row.id(), REALM_ID);
                access = again(row.accessToken(), row.id(), ACCESS_TOKEN);
                refresh = again(row.refreshToken(), row.id(), REFRESH_TOKEN);
            } catch (TokenDecryptionException e) {
                undecryptableRows++;
                undecryptable.parkUnleased(row, e.getMessage(), actor).ifPresent(letters::add);
                continue;
            }
            if (rewrites.rewrite(row, realm, access, refresh, settle)) {
                rewritten++;
            } else {
                left++;
            }
        }
        return new BatchOutcome(rewritten, left, undecryptableRows, letters);
    }

    private byte[] again(byte[] ciphertext, UUID id, String column) {
        if (ciphertext.length == 0) {
            return ciphertext; // erased by a disconnect
        }
        CipherBinding binding = CipherBinding.connection(id, column);
        return cipher.encrypt(cipher.decrypt(ciphertext, binding), binding);
    }

    /**
     * What one batch did.
     *
     * @param rewritten rows now wholly under the primary key
     * @param leftForNextPass rows leased, changed within the settle time, or changed while being rewritten
     * @param undecryptable rows with a value no configured key opens; those ACTIVE were parked
     * @param letters the dead letters of the rows this batch parked, to be sent
     */
    public record BatchOutcome(int rewritten, int leftForNextPass, int undecryptable, List<DeadLetter> letters) {
    }
}
