package dev.tokenrefresher.sandbox.demo;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntFunction;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * A stand-in for the scheduler's {@code POST /api/connections}: a real HTTP server on a free port that records every
 * request and answers what the test tells it to, by request number (1 for the first request).
 */
final class RecordingScheduler implements AutoCloseable {

    static final String PATH = "/api/connections";
    static final int DROP = -1;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final IntFunction<Answer> answers;
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    /** What to answer one request. */
    record Answer(int status, String body) {

        static Answer created() {
            return new Answer(201, "{\"id\":\"3f1c5a9e-0000-0000-0000-000000000000\"}");
        }

        /** Closes the connection without an answer, as a server does with a kept-alive connection it gave up on. */
        static Answer dropConnection() {
            return new Answer(DROP, "");
        }

        static Answer problem(int status, String detail) {
            return new Answer(status, "{\"status\":" + status + ",\"detail\":\"" + detail + "\"}");
        }
    }

    /** One request as it arrived, and the status it was answered with. */
    record Request(Headers headers, JsonNode body, int answeredStatus) {

        boolean accepted() {
            return answeredStatus == 200 || answeredStatus == 201;
        }
    }

    RecordingScheduler(IntFunction<Answer> answers) {
        this.answers = answers;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext(PATH, this::answer);
        server.start();
    }

    URI registerUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + PATH);
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    /** Bodies of the requests answered 200 or 201, in order of arrival. */
    List<JsonNode> registered() {
        return requests.stream().filter(Request::accepted).map(Request::body).toList();
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
            Headers headers = new Headers();
            headers.putAll(exchange.getRequestHeaders());
            // numbered before recording, so that the number and the list stay in step even if a test reads meanwhile
            Answer answer = answers.apply(requests.size() + 1);
            requests.add(new Request(headers, body, answer.status()));
            if (answer.status() == DROP) {
                return;
            }
            byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders()
                    .add("Content-Type", answer.status() < 400 ? "application/json" : "application/problem+json");
            exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
            exchange.getResponseBody().write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
