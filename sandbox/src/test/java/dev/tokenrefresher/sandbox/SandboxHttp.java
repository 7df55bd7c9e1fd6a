package dev.tokenrefresher.sandbox;

import dev.tokenrefresher.sandbox.settings.SandboxProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Talks to a sandbox that a test started in its own JVM, over real HTTP as other modules do, and reads its JSON. Every
 * request has a timeout, so a sandbox that stops answering fails the test instead of hanging it.
 */
public final class SandboxHttp {

    public static final String TOKEN_PATH = "/oauth2/v1/tokens/bearer";
    public static final String CLIENT_ID = SandboxProperties.DEFAULT_CLIENT_ID;
    public static final String CLIENT_SECRET = SandboxProperties.DEFAULT_CLIENT_SECRET;
    public static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final URI baseUri;

    private SandboxHttp(URI baseUri) {
        this.baseUri = baseUri;
    }

    /**
     * Starts the sandbox through {@link SandboxApplication#builder()} on a free port, with {@code clock} in place of
     * the system clock.
     */
    public static ConfigurableApplicationContext start(Clock clock, String... properties) {
        return SandboxApplication.builder()
                .properties("server.port=0")
                .properties(properties)
                .initializers(context -> ((GenericApplicationContext) context).registerBean(Clock.class, () -> clock))
                .run();
    }

    public static SandboxHttp on(ConfigurableApplicationContext sandbox) {
        int port = ((WebServerApplicationContext) sandbox).getWebServer().getPort();
        return new SandboxHttp(URI.create("http://localhost:" + port));
    }

    public URI uri(String path) {
        return baseUri.resolve(path);
    }

    public HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(uri(path)));
    }

    public HttpResponse<String> post(String path) {
        return send(HttpRequest.newBuilder(uri(path)).POST(BodyPublishers.noBody()));
    }

    public HttpResponse<String> delete(String path) {
        return send(HttpRequest.newBuilder(uri(path)).DELETE());
    }

    public HttpResponse<String> postJson(String path, String json) {
        return send(jsonRequest(path).POST(BodyPublishers.ofString(json)));
    }

    public HttpResponse<String> putJson(String path, String json) {
        return send(jsonRequest(path).PUT(BodyPublishers.ofString(json)));
    }

    private HttpRequest.Builder jsonRequest(String path) {
        return HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json");
    }

    /** A token endpoint request with the given form body and header name/value pairs. */
    public HttpRequest.Builder tokenRequest(String form, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(TOKEN_PATH))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(BodyPublishers.ofString(form));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return request;
    }

    /** A refresh as a client does it, with client_secret_basic. */
    public HttpRequest.Builder refreshRequest(String refreshToken) {
        return tokenRequest(refreshForm(refreshToken), "Authorization", basic(CLIENT_ID, CLIENT_SECRET));
    }

    public HttpResponse<String> refresh(String refreshToken) {
        return send(refreshRequest(refreshToken));
    }

    /** Mints one connection and answers its JSON, with {@code refreshToken} among the fields. */
    public JsonNode mintOne() {
        HttpResponse<String> response = post("/sandbox/connections");
        if (response.statusCode() != 201) {
            throw new IllegalStateException("minting answered " + response.statusCode() + ": " + response.body());
        }
        return json(response).get(0);
    }

    public JsonNode stats() {
        return json(get("/sandbox/stats"));
    }

    public HttpResponse<String> send(HttpRequest.Builder request) {
        return send(request, TIMEOUT);
    }

    /** @throws UncheckedIOException with the {@link java.net.http.HttpTimeoutException} when the timeout ran out */
    public HttpResponse<String> send(HttpRequest.Builder request, Duration timeout) {
        try {
            return HTTP.send(request.timeout(timeout).build(), BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public CompletableFuture<HttpResponse<String>> sendAsync(HttpRequest.Builder request) {
        return HTTP.sendAsync(request.timeout(TIMEOUT).build(), BodyHandlers.ofString());
    }

    public static String refreshForm(String refreshToken) {
        return form(Map.of("grant_type", "refresh_token", "refresh_token", refreshToken));
    }

    public static String form(Map<String, String> fields) {
        return fields.entrySet()
                .stream()
                .map(field -> encode(field.getKey()) + "=" + encode(field.getValue()))
                .collect(Collectors.joining("&"));
    }

    /** An {@code Authorization} header value for client_secret_basic, encoded as RFC 6749 section 2.3.1 asks. */
    public static String basic(String clientId, String clientSecret) {
        String userInfo = encode(clientId) + ":" + encode(clientSecret);
        return "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    public static JsonNode json(HttpResponse<String> response) {
        return json(response.body());
    }

    public static JsonNode json(String text) {
        return MAPPER.readTree(text);
    }

    public static List<String> fieldNames(JsonNode node) {
        return node.properties().stream().map(Map.Entry::getKey).toList();
    }

    /** Lowercase hex SHA-256 of the UTF-8 bytes, as the sandbox reports a refresh token. */
    public static String sha256(String value) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
