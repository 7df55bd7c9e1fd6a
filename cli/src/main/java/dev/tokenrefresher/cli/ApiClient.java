package dev.tokenrefresher.cli;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** The scheduler's API over HTTP, with the API key in {@code X-API-Key}. Answers JSON; errors become exceptions. */
final class ApiClient {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json;
    private final URI base;
    private final String apiKey;

    ApiClient(ObjectMapper json, URI base, String apiKey) {
        this.json = json;
        this.base = base;
        this.apiKey = apiKey;
    }

    JsonNode get(String path, Map<String, Object> query) {
        return send(request(path, query).GET());
    }

    JsonNode post(String path, Object body) {
        return send(request(path, Map.of()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body))));
    }

    JsonNode delete(String path, Map<String, Object> query) {
        return send(request(path, query).DELETE());
    }

    /** Query parameters with a {@code null} value are left out. */
    static Map<String, Object> query(Object... namesAndValues) {
        Map<String, Object> query = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            if (namesAndValues[i + 1] != null) {
                query.put((String) namesAndValues[i], namesAndValues[i + 1]);
            }
        }
        return query;
    }

    private HttpRequest.Builder request(String path, Map<String, Object> query) {
        String queryString = query.isEmpty()
                ? ""
                : "?" + query.entrySet().stream()
                        .map(e -> e.getKey() + "="
                                + URLEncoder.encode(String.valueOf(e.getValue()), StandardCharsets.UTF_8))
                        .collect(Collectors.joining("&"));
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path + queryString)).timeout(TIMEOUT)
                .header("Accept", "application/json");
        if (apiKey != null && !apiKey.isBlank()) {
            request.header("X-API-Key", apiKey);
        }
        return request;
    }

    private JsonNode send(HttpRequest.Builder builder) {
        HttpRequest request = builder.build();
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (ConnectException e) {
            throw new CliException(CliException.UNREACHABLE, "cannot connect to the scheduler at " + base
                    + " (set --url or REFRESHER_URL)");
        } catch (IOException e) {
            throw new CliException(CliException.UNREACHABLE, request.method() + " " + request.uri().getPath()
                    + " failed: " + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(CliException.UNREACHABLE, "interrupted");
        }
        JsonNode body = parse(response.body());
        if (response.statusCode() >= 400) {
            throw CliException.fromProblem(response.statusCode(), body);
        }
        return body;
    }

    private JsonNode parse(byte[] body) {
        if (body == null || body.length == 0) {
            return json.nullNode();
        }
        try {
            return json.readTree(body);
        } catch (JacksonException e) {
            return json.getNodeFactory().stringNode(new String(body, StandardCharsets.UTF_8));
        }
    }
}
