package dev.tokenrefresher.scheduler.security;

import dev.tokenrefresher.common.RefresherException;

/** The configured API keys cannot be used; the message names the key by its name or position, never its value. */
public class InvalidApiKeyConfigurationException extends RefresherException {

    InvalidApiKeyConfigurationException(String message) {
        super(message);
    }
}
