package dev.tokenrefresher.common.crypto;

import dev.tokenrefresher.common.RefresherException;

/** A stored value could not be decrypted: wrong key, unknown key id, or a value moved to another row or column. */
public class TokenDecryptionException extends RefresherException {

    private final String binding;

    TokenDecryptionException(String binding, String reason) {
        super("cannot decrypt " + binding + ": " + reason);
        this.binding = binding;
    }

    /** The row and column the value was bound to, e.g. {@code connection/4f1c.../refresh_token}. */
    public String binding() {
        return binding;
    }
}
