package dev.tokenrefresher.common.messaging;

/**
 * Headers every dead letter carries, so that operators can filter and replay without opening bodies. Plain names,
 * not {@code x-*}: RabbitMQ 4 drops client-set {@code x-} headers.
 */
public final class DeadLetterHeaders {

    /** Why: {@code invalid_grant}, {@code invalid_client}, {@code malformed}, {@code unknown_connection}, ... */
    public static final String REASON = "refresher-reason";
    /** The provider's OAuth2 error or the local error code. */
    public static final String ERROR_CODE = "refresher-error-code";
    public static final String PROVIDER = "refresher-provider";
    public static final String CONNECTION_ID = "refresher-connection-id";
    /** How many provider calls this refresh made before it was given up. */
    public static final String ATTEMPTS = "refresher-attempts";
    public static final String HTTP_STATUS = "refresher-http-status";
    /** ISO-8601 instants. */
    public static final String FIRST_FAILURE_AT = "refresher-first-failure-at";
    public static final String LAST_FAILURE_AT = "refresher-last-failure-at";
    /** The worker that gave up. */
    public static final String WORKER = "refresher-worker";
    /** A short description for operators; never a token. */
    public static final String DETAIL = "refresher-detail";

    private DeadLetterHeaders() {
    }
}
