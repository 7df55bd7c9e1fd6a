package dev.tokenrefresher.common.crypto;

import dev.tokenrefresher.common.RefresherException;

/** The keys under {@code refresher.crypto} are missing or unusable; the application must not start. */
public class InvalidKeyConfigurationException extends RefresherException {

    InvalidKeyConfigurationException(String message) {
        super(message);
    }
}
