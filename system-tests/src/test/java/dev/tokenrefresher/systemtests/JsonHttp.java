package dev.tokenrefresher.systemtests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** A small JSON-over-HTTP client for the apps' APIs. */
final class JsonHttp {

    static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private JsonHttp() {
    }

    record Response(int status, JsonNode body) {
    }

    static Response get(URI uri) {
        return send(HttpRequest.newBuilder(uri).GET().build());
    }

    static Response post(URI uri, Object body) {
        try {
            return send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))).build());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Response post(URI uri) {
        return send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.noBody()).build());
    }

    static Response put(URI uri, Object body) {
        try {
            return send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))).build());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Response send(HttpRequest request) {
        try {
            HttpResponse<byte[]> response = HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
            JsonNode body = response.body().length == 0 ? JSON.nullNode() : JSON.readTree(response.body());
            return new Response(response.statusCode(), body);
        } catch (IOException e) {
            throw new IllegalStateException(request.method() + " " + request.uri() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
