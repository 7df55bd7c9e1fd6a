package dev.tokenrefresher.systemtests;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** A small JSON-over-HTTP client for the apps' APIs. */
final class JsonHttp {

    static final ObjectMapper JSON = new ObjectMapper();
    /** The scheduler's admin key in system tests; sent with every request (the sandbox ignores it). */
    static final String ADMIN_KEY = "system-tests-admin-key-" + UUID.randomUUID();
    /** The scheduler's token-reader key in system tests. */
    static final String TOKEN_READER_KEY = "system-tests-reader-key-" + UUID.randomUUID();
    static final String API_KEY_HEADER = "X-API-Key";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private JsonHttp() {
    }

    /** @param headers the answer's headers, e.g. a 503's {@code Retry-After} */
    record Response(int status, JsonNode body, HttpHeaders headers) {
    }

    static Response get(URI uri) {
        return get(uri, ADMIN_KEY);
    }

    /** @param apiKey the key to send, or {@code null} for none */
    static Response get(URI uri, String apiKey) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET();
        if (apiKey != null) {
            request.header(API_KEY_HEADER, apiKey);
        }
        return send(request.build());
    }

    static Response delete(URI uri) {
        return send(HttpRequest.newBuilder(uri).header(API_KEY_HEADER, ADMIN_KEY).DELETE().build());
    }

    static Response post(URI uri, Object body) {
        return send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .header(API_KEY_HEADER, ADMIN_KEY)
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))).build());
    }

    static Response post(URI uri) {
        return send(HttpRequest.newBuilder(uri).header(API_KEY_HEADER, ADMIN_KEY)
                .POST(HttpRequest.BodyPublishers.noBody()).build());
    }

    static Response put(URI uri, Object body) {
        return send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .header(API_KEY_HEADER, ADMIN_KEY)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))).build());
    }

    private static Response send(HttpRequest request) {
        try {
            HttpResponse<byte[]> response = HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
            JsonNode body = response.body().length == 0 ? JSON.nullNode() : JSON.readTree(response.body());
            return new Response(response.statusCode(), body, response.headers());
        } catch (IOException e) {
            throw new IllegalStateException(request.method() + " " + request.uri() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
