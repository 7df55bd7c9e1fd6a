package dev.tokenrefresher.sandbox.demo;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** Registers connections with token-refresher's scheduler over HTTP, the way a host app does. */
final class SchedulerClient {

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    // The sandbox's tokens carry these prefixes; a detail that echoes one must not put it into the log.
    private static final Pattern SANDBOX_TOKEN = Pattern.compile("sbx_(at|rt)_[A-Za-z0-9_-]*");
    private static final int MAX_DETAIL_LENGTH = 500;

    // A mapper of its own: the body is the scheduler's contract, which spring.jackson.* settings of the sandbox's
    // own API must not change.
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final URI registerUrl;
    private final Map<String, String> headers;

    SchedulerClient(HttpClient http, URI registerUrl, Map<String, String> headers) {
        this.http = http;
        this.registerUrl = registerUrl;
        this.headers = headers;
    }

    static HttpClient newHttpClient() {
        // HTTP/1.1: the JDK client's default would try an h2c upgrade first, which some servers mishandle on a POST
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    SchedulerAnswer register(DemoRegistration registration) throws InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(registerUrl).timeout(REQUEST_TIMEOUT);
        headers.forEach(request::header);
        request.setHeader("Content-Type", "application/json")
                .setHeader("Accept", "application/json, application/problem+json")
                .POST(BodyPublishers.ofString(json(registration)));
        HttpResponse<String> response;
        try {
            response = send(request.build());
        } catch (IOException e) {
            return new SchedulerAnswer.Unavailable(describe(e));
        }
        int status = response.statusCode();
        if (status == 200 || status == 201) {
            return new SchedulerAnswer.Registered(status == 201);
        }
        if (status >= 400 && status < 500) {
            return new SchedulerAnswer.Rejected(status, detail(response.body()));
        }
        if (status >= 500) {
            String detail = detail(response.body());
            return new SchedulerAnswer.Unavailable("answered " + status + (detail == null ? "" : ": " + detail));
        }
        return new SchedulerAnswer.Unexpected(status);
    }

    /**
     * Sends once more, at once, after the connection broke: a kept-alive connection that the server closed meanwhile
     * fails on its next use, and the second try gets a new one. Safe because registering is idempotent: the scheduler
     * answers a repeat with 200, as a reconnect of the same tenant. A refused connection or a timeout is not a stale
     * connection, so it is not sent again here.
     */
    private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        try {
            return http.send(request, BodyHandlers.ofString());
        } catch (ConnectException | HttpTimeoutException notStale) {
            throw notStale;
        } catch (IOException staleConnection) {
            return http.send(request, BodyHandlers.ofString());
        }
    }

    private static String json(DemoRegistration registration) {
        return JSON.writeValueAsString(registration);
    }

    /** The RFC 9457 {@code detail} of an error body, shortened and without sandbox tokens; null if there is none. */
    static String detail(String body) {
        JsonNode detail;
        try {
            detail = JSON.readTree(body).path("detail");
        } catch (JacksonException | IllegalArgumentException notJson) {
            return null;
        }
        if (!detail.isString()) {
            return null;
        }
        String text = SANDBOX_TOKEN.matcher(detail.asString()).replaceAll("sbx_$1_[redacted]");
        return text.length() <= MAX_DETAIL_LENGTH ? text : text.substring(0, MAX_DETAIL_LENGTH) + "...";
    }

    private static String describe(IOException e) {
        if (e.getMessage() == null || e.getMessage().isBlank()) {
            // the JDK's ConnectException for a refused connection carries no message
            return e instanceof ConnectException ? "connection refused" : e.getClass().getSimpleName();
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
