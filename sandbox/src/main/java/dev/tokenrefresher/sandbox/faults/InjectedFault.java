package dev.tokenrefresher.sandbox.faults;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;

/**
 * The answer the token endpoint gives instead of running its token logic. It carries no token: a faulted request never
 * reaches one.
 *
 * @param headers
 *            headers to send besides the content type, e.g. {@code Retry-After}
 * @param bodyStall
 *            how long the body is held after the headers went out; zero for an answer sent whole
 */
public record InjectedFault(FaultKind kind, int status, Map<String, String> headers, MediaType contentType,
        String body, Duration bodyStall) {

    static final int RATE_LIMITED_STATUS = 429;
    static final int HANG_STATUS = 504;

    // the page nginx writes for its own errors
    private static final String GATEWAY_PAGE = """
            <html>
            <head><title>%d %s</title></head>
            <body>
            <center><h1>%d %s</h1></center>
            </body>
            </html>
            """;

    public InjectedFault {
        Objects.requireNonNull(kind, "kind");
        headers = Map.copyOf(headers);
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(body, "body");
        bodyStall = bodyStall == null ? Duration.ZERO : bodyStall;
    }

    /** An answer sent whole. */
    public InjectedFault(FaultKind kind, int status, Map<String, String> headers, MediaType contentType,
            String body) {
        this(kind, status, headers, contentType, body, Duration.ZERO);
    }

    /**
     * A 200 whose headers go out at once and whose body, an OAuth2 error that carries no token, comes after
     * {@code stall}: a client whose deadline ends at the headers waits the whole stall.
     */
    static InjectedFault stalledBody(Duration stall) {
        return new InjectedFault(FaultKind.STALLED_BODY, HttpStatus.OK.value(), Map.of(), MediaType.APPLICATION_JSON,
                "{\"error\":\"temporarily_unavailable\"}", stall);
    }

    /** A status from {@code errorStatuses}. */
    static InjectedFault error(int status) {
        return fromGateway(FaultKind.ERROR, status);
    }

    static InjectedFault rateLimited(long retryAfterSeconds) {
        return new InjectedFault(FaultKind.RATE_LIMITED, RATE_LIMITED_STATUS,
                Map.of(HttpHeaders.RETRY_AFTER, String.valueOf(retryAfterSeconds)), MediaType.APPLICATION_JSON,
                "{\"error\":\"rate_limited\"}");
    }

    /** What a gateway answers when the server behind it did not answer in time. */
    static InjectedFault hang() {
        return fromGateway(FaultKind.HANG, HANG_STATUS);
    }

    static InjectedFault outage(int status) {
        return fromGateway(FaultKind.OUTAGE, status);
    }

    /**
     * The same answer, to the byte, as a request with a wrong client secret gets, so a client cannot tell them apart.
     */
    static InjectedFault invalidClient() {
        return new InjectedFault(FaultKind.INVALID_CLIENT, HttpStatus.UNAUTHORIZED.value(),
                Map.of(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"sandbox\""), MediaType.APPLICATION_JSON,
                "{\"error\":\"invalid_client\"}");
    }

    /**
     * Errors that a provider's front door produces rather than its token service: 502, 503 and 504 come as the small
     * HTML page a load balancer or reverse proxy writes, other statuses as an API gateway's JSON. A client must cope
     * with both, whatever {@code Content-Type} it asked for.
     */
    private static InjectedFault fromGateway(FaultKind kind, int status) {
        HttpStatus known = HttpStatus.resolve(status);
        String reason = known == null ? "Error" : known.getReasonPhrase();
        if (status == 502 || status == 503 || status == 504) {
            return new InjectedFault(kind, status, Map.of(), MediaType.TEXT_HTML,
                    GATEWAY_PAGE.formatted(status, reason, status, reason));
        }
        return new InjectedFault(kind, status, Map.of(), MediaType.APPLICATION_JSON,
                "{\"message\":\"" + reason + "\"}");
    }
}
