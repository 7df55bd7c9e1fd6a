package dev.tokenrefresher.scheduler;

import dev.tokenrefresher.common.test.RunningSandbox;
import dev.tokenrefresher.common.test.ServicesTestBase;
import dev.tokenrefresher.common.test.TestServices;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.boot.micrometer.metrics.test.autoconfigure.AutoConfigureMetrics;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The scheduler on a random port against the real PostgreSQL and RabbitMQ, with a real sandbox provider as
 * {@value #PROVIDER} (Basic auth) and {@value #OTHER_PROVIDER} (a second, generic provider on the same sandbox, with a
 * short request timeout and quiet period), and
 * three API keys: admin, token-reader, and one with both roles. No workers run: messages stay queued.
 */
// Spring Boot's tests switch metrics export off unless asked: the Prometheus endpoint is part of what is tested.
@AutoConfigureMetrics
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "refresher.security.api-keys[0].name=test-admin",
        "refresher.security.api-keys[0].key=" + SchedulerApiTestBase.ADMIN_KEY,
        "refresher.security.api-keys[0].roles=admin",
        "refresher.security.api-keys[1].name=test-host-app",
        "refresher.security.api-keys[1].key=" + SchedulerApiTestBase.READER_KEY,
        "refresher.security.api-keys[1].roles=token-reader",
        "refresher.security.api-keys[2].name=test-onboarding",
        "refresher.security.api-keys[2].key=" + SchedulerApiTestBase.CONNECT_KEY,
        "refresher.security.api-keys[2].roles=connect",
        // connect sessions (ConnectSessionApiTest): the public base URL is a placeholder, the test maps it to the port
        "refresher.connect.public-base-url=" + SchedulerApiTestBase.PUBLIC_BASE,
        "refresher.connect.allowed-return-urls[0]=" + SchedulerApiTestBase.RETURN_BASE,
        "refresher.sweep.enabled=false",
        // KeysApiTest drives the re-encryption job's batches itself
        "refresher.keys.reencryption=false",
        // ReauthDueNoticesTest runs the reauth_due checks itself
        "refresher.reauth.warnings=false",
        // AttemptLogPruningTest runs the attempt log's retention itself
        "refresher.attempts.prune=false",
        // tests bind their event queues as they go: no routing key may be dropped from an earlier test's return
        "refresher.messaging.event-probe-interval=0s",
        "logging.level.dev.tokenrefresher=INFO"})
public abstract class SchedulerApiTestBase extends ServicesTestBase {

    public static final String PROVIDER = "quickbooks";
    public static final String OTHER_PROVIDER = "acme";
    /** {@value #OTHER_PROVIDER}'s request timeout: a test can hold a call past it without waiting 10 s. */
    protected static final Duration OTHER_REQUEST_TIMEOUT = Duration.ofSeconds(2);
    /**
     * {@value #OTHER_PROVIDER}'s timeout-quiet-period: longer than the 5 s a 503 suggests when the provider said
     * nothing, shorter than {@code max-wait}.
     */
    protected static final Duration OTHER_QUIET_PERIOD = Duration.ofSeconds(6);
    protected static final String ADMIN_KEY = "test-admin-key-0123456789abcdef";
    protected static final String READER_KEY = "test-reader-key-0123456789abcdef";
    /** A key with the connect role only. */
    protected static final String CONNECT_KEY = "test-connect-key-0123456789abcdef";
    /** The scheduler's {@code refresher.connect.public-base-url}: a placeholder (the port is not known in advance). */
    protected static final String PUBLIC_BASE = "http://127.0.0.1:1";
    /** The one allowed return URL prefix. */
    protected static final String RETURN_BASE = "https://app.example.test/oauth";

    /** One sandbox for the whole JVM: tests compare its counters before and after. */
    protected static final RunningSandbox SANDBOX = RunningSandbox.start("sandbox.scopes=read,offline_access");
    protected static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @LocalServerPort
    private int port;

    static {
        TestServices.get().deleteQueuesAtExit(List.of(PROVIDER, OTHER_PROVIDER));
    }

    @DynamicPropertySource
    static void providers(DynamicPropertyRegistry registry) {
        for (String provider : new String[]{PROVIDER, OTHER_PROVIDER}) {
            String prefix = "refresher.providers." + provider + ".";
            registry.add(prefix + "token-uri", () -> SANDBOX.tokenUri().toString());
            registry.add(prefix + "client-id", () -> RunningSandbox.CLIENT_ID);
            registry.add(prefix + "client-secret", () -> RunningSandbox.CLIENT_SECRET);
        }
        registry.add("refresher.providers." + PROVIDER + ".revocation-uri", () -> SANDBOX.url(
                "/v2/oauth2/tokens/revoke").toString());
        registry.add("refresher.providers." + OTHER_PROVIDER + ".client-authentication", () -> "client_secret_post");
        // both take connect sessions at the sandbox's authorization endpoint; the generic one with PKCE (its default)
        for (String provider : new String[]{PROVIDER, OTHER_PROVIDER}) {
            registry.add("refresher.providers." + provider + ".authorization-uri", () -> SANDBOX.url("/connect/oauth2")
                    .toString());
        }
        registry.add("refresher.providers." + OTHER_PROVIDER + ".scopes", () -> "read,offline_access");
        registry.add("refresher.providers." + OTHER_PROVIDER + ".request-timeout", () -> OTHER_REQUEST_TIMEOUT
                .toMillis() + "ms");
        registry.add("refresher.providers." + OTHER_PROVIDER + ".timeout-quiet-period", () -> OTHER_QUIET_PERIOD
                .toMillis() + "ms");
    }

    protected record Response(int status, JsonNode body, HttpHeaders headers) {
    }

    /** Where this scheduler listens, e.g. {@code http://127.0.0.1:40123}. */
    protected URI baseUri() {
        return URI.create("http://127.0.0.1:" + port);
    }

    protected Response get(String path, String apiKey) {
        return send(request(path, apiKey).GET());
    }

    protected Response post(String path, String apiKey, Object body) {
        return send(request(path, apiKey).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body instanceof String text
                        ? text.getBytes(StandardCharsets.UTF_8)
                        : JSON.writeValueAsBytes(body))));
    }

    protected Response delete(String path, String apiKey) {
        return send(request(path, apiKey).DELETE());
    }

    private HttpRequest.Builder request(String path, String apiKey) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (apiKey != null) {
            request.header("X-API-Key", apiKey);
        }
        return request;
    }

    private static Response send(HttpRequest.Builder request) {
        try {
            HttpResponse<byte[]> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            JsonNode body = response.body().length == 0 ? JSON.nullNode() : parse(response.body());
            return new Response(response.statusCode(), body, response.headers());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** JSON, or the text as it is (e.g. the Prometheus exposition). */
    private static JsonNode parse(byte[] body) throws IOException {
        try {
            return JSON.readTree(body);
        } catch (JacksonException notJson) {
            return JSON.getNodeFactory().stringNode(new String(body, StandardCharsets.UTF_8));
        }
    }

    /** A connection just authorized at the sandbox: its tokens, as the provider returned them. */
    protected record Minted(String realmId, String accessToken, String refreshToken, long expiresIn,
            long refreshTokenExpiresIn) {
    }

    protected static Minted mint() {
        try {
            HttpResponse<byte[]> response = HTTP.send(HttpRequest.newBuilder(SANDBOX.url("/sandbox/connections"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
            JsonNode minted = JSON.readTree(response.body()).get(0);
            return new Minted(minted.get("realmId").asString(), minted.get("accessToken").asString(), minted.get(
                    "refreshToken").asString(), minted.get("expiresIn").asLong(), minted.get("xRefreshTokenExpiresIn")
                            .asLong());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    protected static JsonNode sandbox(String path) {
        try {
            return JSON.readTree(HTTP.send(HttpRequest.newBuilder(SANDBOX.url(path)).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray()).body());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Revokes a connection at the provider, as a tenant who disconnected the app there. */
    protected static void revokeAtProvider(Minted minted) {
        try {
            HttpResponse<Void> response = HTTP.send(HttpRequest.newBuilder(SANDBOX.url("/sandbox/connections/"
                    + minted.realmId() + "/revoke")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() != 204) {
                throw new IllegalStateException("revocation at the sandbox answered " + response.statusCode());
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    protected static long sandboxRefreshes() {
        return sandbox("/sandbox/stats").get("refreshes").asLong();
    }

    /** A registration body for a minted connection whose access token has {@code secondsLeft} of life. */
    protected static Map<String, Object> registration(String provider, Minted minted, long secondsLeft) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("tenantId", "tenant-" + UUID.randomUUID());
        request.put("provider", provider);
        request.put("realmId", minted.realmId());
        request.put("accessToken", minted.accessToken());
        request.put("refreshToken", minted.refreshToken());
        request.put("expiresIn", minted.expiresIn());
        request.put("refreshTokenExpiresIn", minted.refreshTokenExpiresIn());
        request.put("obtainedAt", Instant.now().minusSeconds(minted.expiresIn() - secondsLeft).toString());
        return request;
    }

    /** Registers a fresh sandbox connection whose access token has {@code secondsLeft} of life; returns its id. */
    protected UUID register(String provider, Minted minted, long secondsLeft) {
        Response response = post("/api/connections", ADMIN_KEY, registration(provider, minted, secondsLeft));
        if (response.status() != 201) {
            throw new IllegalStateException("registration failed with " + response.status() + ": " + response
                    .body());
        }
        return UUID.fromString(response.body().get("id").asString());
    }

    /** Sends a control request to the sandbox ({@code PUT /sandbox/faults}, {@code /sandbox/settings}, ...). */
    protected static JsonNode sandboxControl(String method, String path, String json) {
        try {
            HttpResponse<byte[]> response = HTTP.send(HttpRequest.newBuilder(SANDBOX.url(path)).header("Content-Type",
                    "application/json").method(method,
                            json == null
                                    ? HttpRequest.BodyPublishers.noBody()
                                    : HttpRequest.BodyPublishers.ofString(json))
                    .build(),
                    HttpResponse.BodyHandlers
                            .ofByteArray());
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": "
                        + new String(response.body(), StandardCharsets.UTF_8));
            }
            return response.body().length == 0 ? JSON.nullNode() : JSON.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Posts a raw body with the given content type. */
    protected Response postRaw(String path, String apiKey, String contentType, String body) {
        HttpRequest.Builder request = request(path, apiKey).POST(body == null
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return send(request);
    }

    protected Response put(String path, String apiKey, String json) {
        return send(request(path, apiKey).header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers
                .ofString(json)));
    }
}
