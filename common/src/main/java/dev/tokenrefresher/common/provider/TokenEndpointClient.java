package dev.tokenrefresher.common.provider;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import tools.jackson.databind.ObjectMapper;

/**
 * Calls a provider's token endpoint with the refresh-token grant (RFC 6749 section 6) and classifies the answer.
 *
 * <p>It never throws for what a provider or the network does: every outcome is a {@link RefreshResult}. Nothing it
 * returns or logs contains a token or the client secret.
 */
public class TokenEndpointClient {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** What a token response is expected to stay under; a longer one is read all the same, and named odd. */
    private static final int EXPECTED_BODY_BYTES = 64 * 1024;
    /** Beyond this a body is not read for tokens: no provider sends a megabyte of them. */
    private static final int MAX_BODY_BYTES = 1024 * 1024;

    private final HttpClient http;
    private final TokenResponseParser parser;
    private final ObjectMapper json;
    private final Clock clock;

    public TokenEndpointClient(ObjectMapper json, Clock clock) {
        this(HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).followRedirects(HttpClient.Redirect.NEVER)
                .build(), json, clock);
    }

    TokenEndpointClient(HttpClient http, ObjectMapper json, Clock clock) {
        this.http = http;
        this.parser = new TokenResponseParser(json);
        this.json = json;
        this.clock = clock;
    }

    public RefreshResult refresh(ProviderSettings provider, String refreshToken) {
        return call(provider, new StringBuilder("grant_type=refresh_token&refresh_token=").append(encode(
                refreshToken)));
    }

    /**
     * Exchanges an authorization code for the connection's first tokens (RFC 6749 section 4.1.3), with the same client
     * authentication and headers as a refresh, so QuickBooks' hard expiry comes with them.
     *
     * @param codeVerifier the PKCE verifier (RFC 7636), or {@code null} when the authorization request had none
     * @return the tokens, or why not; a failed exchange stores nothing, and the user starts again
     */
    public RefreshResult exchangeCode(ProviderSettings provider, String code, URI redirectUri, String codeVerifier) {
        StringBuilder form = new StringBuilder("grant_type=authorization_code&code=").append(encode(code))
                .append("&redirect_uri=").append(encode(redirectUri.toString()));
        if (codeVerifier != null) {
            form.append("&code_verifier=").append(encode(codeVerifier));
        }
        return call(provider, form);
    }

    private RefreshResult call(ProviderSettings provider, StringBuilder form) {
        long started = System.nanoTime();
        HttpResponse<byte[]> response;
        // The request's own timeout ends when the headers arrive; a body that stalls after them would hold the call
        // (and the claim) for as long as it stalls. The deadline covers the whole exchange, body included.
        CompletableFuture<HttpResponse<byte[]>> exchange = http.sendAsync(request(provider, form),
                HttpResponse.BodyHandlers.ofByteArray());
        try {
            response = exchange.get(provider.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // The provider may still be serving the request: it must be dead on our side before anyone retries, and
            // the retry then waits the provider's quiet period (DESIGN decision 12). Cancelling the future of
            // sendAsync aborts the exchange and closes its HTTP/1.1 connection rather than returning it to the pool
            // (JDK 16 and later; checked on Temurin 25 and OpenJDK 17: the server reads end-of-stream within
            // milliseconds, whether the headers had come or the body stalled after them, and so it does when the
            // request's own timeout fires; TokenEndpointClientTest.TimedOutExchange). So one shared client does;
            // no client per call is needed.
            exchange.cancel(true);
            return timedOut(provider, started);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof ConnectException || cause instanceof HttpConnectTimeoutException) {
                // no connection, so the request never left: the provider cannot have acted on it
                return failed(ErrorClass.TRANSIENT, "connection_error", "cannot connect to " + provider.tokenUri(),
                        null, null, started, false);
            }
            if (cause instanceof HttpTimeoutException) {
                return timedOut(provider, started);
            }
            if (cause instanceof IOException) {
                // the request went out and the connection broke before the whole answer came back (a reset, a closed
                // connection, a body cut short): the provider may have rotated the token
                return failed(ErrorClass.TRANSIENT, "connection_lost", cause.getClass().getSimpleName(), null, null,
                        started, true);
            }
            if (cause instanceof RuntimeException unexpected) {
                throw unexpected;
            }
            throw new IllegalStateException("token request to provider " + provider.name() + " failed unexpectedly",
                    cause);
        } catch (InterruptedException e) {
            exchange.cancel(true);
            Thread.currentThread().interrupt();
            // we stopped waiting, as at a timeout: the provider may still be serving the request
            return unfinished("interrupted", "the worker is shutting down", null, null, started);
        }
        return classify(provider, response, started);
    }

    private RefreshResult timedOut(ProviderSettings provider, long started) {
        return unfinished("timeout", "no complete answer within " + provider.requestTimeout(), null, null, started);
    }

    /** The exchange ended while the provider may still be serving the request; see {@link RefreshResult.Failed}. */
    private static RefreshResult.Failed unfinished(String code, String detail, Integer status, Duration retryAfter,
            long started) {
        return new RefreshResult.Failed(ErrorClass.TRANSIENT, code, detail, status, retryAfter, elapsed(started),
                true, true);
    }

    private RefreshResult classify(ProviderSettings provider, HttpResponse<byte[]> response, long started) {
        int status = response.statusCode();
        byte[] body = response.body() == null ? new byte[0] : response.body();
        if (body.length > MAX_BODY_BYTES) {
            return failed(ErrorClass.TRANSIENT, "malformed_response", "the body has " + body.length + " bytes",
                    status, null, started, status == 200 || status >= 500);
        }
        if (status == 200) {
            var parsed = parser.parseGrant(body, provider.defaultAccessTokenLifetime());
            if (parsed.grant() == null) {
                // the provider said yes and the tokens did not come through: it has rotated
                return failed(ErrorClass.TRANSIENT, "malformed_response", parsed.problem(), status, null, started,
                        true);
            }
            TokenGrant grant = parsed.grant();
            if (body.length > EXPECTED_BODY_BYTES) {
                List<String> oddities = new ArrayList<>(grant.oddities());
                oddities.add("body_size");
                grant = new TokenGrant(grant.accessToken(), grant.refreshToken(), grant.accessTokenLifetime(), grant
                        .refreshTokenLifetime(), grant.refreshTokenHardLifetime(), oddities);
            }
            return new RefreshResult.Granted(grant, status, elapsed(started));
        }
        Optional<String> error = parser.errorCode(body);
        if (status == 429) {
            // a rate limiter turns the request away before the token service sees it
            return failed(ErrorClass.TRANSIENT, "http_429", "rate limited", status, retryAfter(response), started,
                    false);
        }
        if (status == 408) {
            // the server did not get the whole request
            return failed(ErrorClass.TRANSIENT, "http_408", "the provider timed out reading the request", status,
                    retryAfter(response), started, false);
        }
        if (status == 504) {
            // the gateway stopped waiting for the service behind it, which may still be serving the request
            return unfinished("http_504", "the provider's gateway timed out", status, retryAfter(response), started);
        }
        if (status >= 500) {
            // a gateway's 5xx may come after the service behind it rotated the token
            return failed(ErrorClass.TRANSIENT, "http_" + status, "the provider failed", status,
                    retryAfter(response), started, true);
        }
        if (error.isPresent()) {
            String code = sanitize(error.get());
            if (code.equals("invalid_grant")) {
                return failed(ErrorClass.REAUTH_REQUIRED, code, "the refresh token was refused", status, null,
                        started, false);
            }
            return failed(ErrorClass.REJECTED, code, "the provider refused the request", status, null, started,
                    false);
        }
        if (status == 401) {
            return failed(ErrorClass.REJECTED, "invalid_client", "401 without an OAuth2 error", status, null,
                    started, false);
        }
        return failed(ErrorClass.REJECTED, "http_" + status, "unexpected status", status, null, started, false);
    }

    /**
     * Revokes a refresh token at the provider's revocation endpoint (RFC 7009): a 200 means revoked (or unknown, which
     * RFC 7009 treats alike).
     *
     * @return what happened, in words fit for an API response; never the token
     */
    public Revocation revoke(ProviderSettings provider, String refreshToken) {
        if (provider.revocationUri() == null) {
            return new Revocation(Revocation.Outcome.NOT_SUPPORTED, "provider " + provider.name()
                    + " has no revocation-uri configured");
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(provider.revocationUri())
                .timeout(provider.requestTimeout())
                .header("Accept", "application/json");
        StringBuilder form = new StringBuilder();
        if (provider.revocationFormat() == RevocationFormat.JSON) {
            request.header("Content-Type", "application/json");
        } else {
            request.header("Content-Type", "application/x-www-form-urlencoded");
            form.append("token=").append(encode(refreshToken)).append("&token_type_hint=refresh_token");
        }
        if (provider.revocationFormat() == RevocationFormat.FORM
                || provider.clientAuthentication() == ClientAuthentication.CLIENT_SECRET_BASIC) {
            authenticate(provider, request, form);
        }
        String body = form.toString();
        if (provider.revocationFormat() == RevocationFormat.JSON) {
            var node = json.createObjectNode().put("token", refreshToken);
            if (provider.clientAuthentication() == ClientAuthentication.CLIENT_SECRET_POST) {
                node.put("client_id", provider.clientId()).put("client_secret", provider.clientSecret());
            }
            body = node.toString();
        }
        try {
            HttpResponse<Void> response = http.send(request.POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200
                    ? new Revocation(Revocation.Outcome.REVOKED, "the provider revoked the refresh token")
                    : new Revocation(Revocation.Outcome.FAILED, "the provider answered HTTP " + response.statusCode());
        } catch (HttpTimeoutException e) {
            return new Revocation(Revocation.Outcome.FAILED, "no answer within " + provider.requestTimeout());
        } catch (IOException e) {
            return new Revocation(Revocation.Outcome.FAILED, "cannot reach " + provider.revocationUri() + ": " + e
                    .getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Revocation(Revocation.Outcome.FAILED, "interrupted");
        }
    }

    private HttpRequest request(ProviderSettings provider, StringBuilder form) {
        HttpRequest.Builder request = HttpRequest.newBuilder(provider.tokenUri())
                .timeout(provider.requestTimeout())
                .header("Accept", "application/json")
                .header("Content-Type", "application/x-www-form-urlencoded");
        provider.requestHeaders().forEach(request::header);
        authenticate(provider, request, form);
        return request.POST(HttpRequest.BodyPublishers.ofString(form.toString())).build();
    }

    /** Client authentication: a Basic header, or the credentials appended to the form ({@code client_secret_post}). */
    private static void authenticate(ProviderSettings provider, HttpRequest.Builder request, StringBuilder form) {
        if (provider.clientAuthentication() == ClientAuthentication.CLIENT_SECRET_BASIC) {
            String credentials = encode(provider.clientId()) + ":" + encode(provider.clientSecret());
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(
                    StandardCharsets.UTF_8)));
        } else {
            form.append(form.isEmpty() ? "" : "&").append("client_id=").append(encode(provider.clientId()))
                    .append("&client_secret=").append(encode(provider.clientSecret()));
        }
    }

    private Duration retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After").flatMap(value -> {
            try {
                return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim()))));
            } catch (NumberFormatException notSeconds) {
                try {
                    Duration until = Duration.between(clock.instant(), ZonedDateTime.parse(value.trim(),
                            DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
                    return Optional.of(until.isNegative() ? Duration.ZERO : until);
                } catch (DateTimeParseException notADate) {
                    return Optional.empty();
                }
            }
        }).orElse(null);
    }

    /** Error codes end up in logs, metrics and dead-letter headers: keep them short and plain. */
    private static String sanitize(String code) {
        String plain = code.replaceAll("[^A-Za-z0-9_.-]", "");
        return plain.isEmpty() ? "unknown_error" : plain.substring(0, Math.min(plain.length(), 64));
    }

    private static RefreshResult.Failed failed(ErrorClass errorClass, String code, String detail, Integer status,
            Duration retryAfter, long started, boolean answerMayBeLost) {
        return new RefreshResult.Failed(errorClass, code, detail, status, retryAfter, elapsed(started),
                answerMayBeLost);
    }

    private static Duration elapsed(long started) {
        return Duration.ofNanos(System.nanoTime() - started);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
