package dev.tokenrefresher.common;

/**
 * The root of every exception token-refresher throws on purpose.
 *
 * <p>Subclasses carry the identifiers an operator needs (connection id, provider, fence), and their messages name the
 * thing and its state. No subclass ever puts a token, a client secret or a key into its message.
 */
public abstract class RefresherException extends RuntimeException {

    protected RefresherException(String message) {
        super(message);
    }

    protected RefresherException(String message, Throwable cause) {
        super(message, cause);
    }
}
