package dev.tokenrefresher.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tokenrefresher.common.test.TestServices;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The README's quick start without Docker: {@code scripts/run-local.sh} (with the jars this build made) brings up the
 * sandbox with demo connections, the scheduler and two workers; they refresh, the Prometheus endpoints count it, a
 * disconnect with {@code revoke=true} revokes at the sandbox, the logs are JSON lines naming connection, provider, fence and outcome without a token, and a Ctrl-C stops every
 * process the script started.
 */
class RunLocalIT {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern STARTED = Pattern.compile("started (\\S+) \\(pid (\\d+)\\)");
    private static final int DEMO_CONNECTIONS = 20;

    @Test
    void runLocalStartsEverythingThatRefreshesAndStopsEverythingOnCtrlC() throws Exception {
        TestServices services = TestServices.get();
        TestServices.Namespace namespace = services.newNamespace();
        services.deleteQueuesAtExit(List.of(RunningSystem.PROVIDER));
        Path state = Files.createTempDirectory("run-local");
        Path output = state.resolve("run-local.out");
        int sandboxPort = freePort();
        int schedulerPort = freePort();
        int workerBasePort = freePortPair();

        ProcessBuilder builder = new ProcessBuilder("bash", "scripts/run-local.sh").directory(ROOT.toFile())
                .redirectErrorStream(true).redirectOutput(output.toFile());
        Map<String, String> env = builder.environment();
        services.springProperties(namespace).forEach((key, value) -> env.put(key.toUpperCase().replace('.', '_')
                .replace("-", ""), value));
        env.put("DATABASE_URL", services.jdbcUrl(namespace));
        env.put("DATABASE_USER", services.postgresUser());
        env.put("DATABASE_PASSWORD", services.postgresPassword());
        env.put("RABBITMQ_HOST", env.get("SPRING_RABBITMQ_HOST"));
        env.put("RABBITMQ_PORT", env.get("SPRING_RABBITMQ_PORT"));
        env.remove("REFRESHER_CRYPTO_KEYS_TEST");
        env.remove("REFRESHER_CRYPTO_PRIMARYKEYID");
        env.put("RUN_LOCAL_STATE", state.toString());
        env.put("SKIP_BUILD", "1");
        env.put("JAVA_HOME", Path.of(System.getProperty("java.home")).toString());
        env.put("WORKERS", "2");
        env.put("DEMO_CONNECTIONS", Integer.toString(DEMO_CONNECTIONS));
        env.put("DEMO_TOKEN_LIFETIME", "10s");
        env.put("REFRESHER_PROVIDERS_QUICKBOOKS_REFRESHLEADTIME", "4s");
        env.put("SANDBOX_PORT", Integer.toString(sandboxPort));
        env.put("SCHEDULER_PORT", Integer.toString(schedulerPort));
        env.put("WORKER_BASE_PORT", Integer.toString(workerBasePort));
        env.put("LOGGING_STRUCTURED_FORMAT_CONSOLE", "ecs");
        Process script = builder.start();
        List<Long> pids = new ArrayList<>();
        try {
            await().atMost(Duration.ofMinutes(3)).until(() -> read(output).contains("token-refresher is running")
                    || !script.isAlive());
            assertThat(read(output)).as(read(output)).contains("token-refresher is running");
            Matcher started = STARTED.matcher(read(output));
            while (started.find()) {
                pids.add(Long.parseLong(started.group(2)));
            }
            assertThat(pids).hasSize(4);

            URI sandbox = URI.create("http://127.0.0.1:" + sandboxPort);
            // every demo connection registered and refreshed at least once by the workers
            await().atMost(Duration.ofSeconds(90)).until(() -> JsonHttp.get(sandbox.resolve("/sandbox/stats")).body()
                    .get("refreshes").asLong() >= 2L * DEMO_CONNECTIONS);
            for (int worker = 0; worker < 2; worker++) {
                String metrics = get(URI.create("http://127.0.0.1:" + (workerBasePort + worker)
                        + "/actuator/prometheus"));
                assertThat(metrics).contains("refresher_refresh_lateness_seconds_bucket{",
                        "resilience4j_circuitbreaker_state{");
                assertThat(counter(metrics, "refresher_refreshes_total", "outcome=\"refreshed\"")).isPositive();
            }
            String schedulerMetrics = get(URI.create("http://127.0.0.1:" + schedulerPort + "/actuator/prometheus"));
            await().atMost(Duration.ofSeconds(30)).until(() -> counter(get(URI.create("http://127.0.0.1:"
                    + schedulerPort + "/actuator/prometheus")), "refresher_connections",
                    "status=\"ACTIVE\"") == DEMO_CONNECTIONS);
            assertThat(schedulerMetrics).contains("refresher_queue_messages{");

            // a disconnect with revoke=true reaches the sandbox's revocation endpoint, not Intuit's
            String adminKey = Files.readString(state.resolve("admin-api-key")).strip();
            URI scheduler = URI.create("http://127.0.0.1:" + schedulerPort);
            JsonNode minted = JsonHttp.post(sandbox.resolve("/sandbox/connections")).body().get(0);
            HttpResponse<String> registered = send(HttpRequest.newBuilder(scheduler.resolve("/api/connections"))
                    .header("X-API-Key", adminKey).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JsonHttp.JSON.writeValueAsString(Map.of(
                            "tenantId", "run-local-revoke", "provider", "quickbooks",
                            "realmId", minted.get("realmId").asString(),
                            "accessToken", minted.get("accessToken").asString(),
                            "refreshToken", minted.get("refreshToken").asString(),
                            "expiresIn", minted.get("expiresIn").asLong(),
                            "refreshTokenExpiresIn", minted.get("xRefreshTokenExpiresIn").asLong()))))
                    .build());
            assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
            // the README's sample answer has the fields of the real one, no more, no fewer
            assertThat(readmeSampleAnswer().propertyNames()).containsExactlyInAnyOrderElementsOf(JsonHttp.JSON
                    .readTree(registered.body()).propertyNames());
            String id = JsonHttp.JSON.readTree(registered.body()).get("id").asString();
            HttpResponse<String> disconnected = send(HttpRequest.newBuilder(scheduler.resolve("/api/connections/"
                    + id + "?revoke=true")).header("X-API-Key", adminKey).DELETE().build());
            assertThat(disconnected.statusCode()).as(disconnected.body()).isEqualTo(200);
            assertThat(JsonHttp.JSON.readTree(disconnected.body()).path("revocation").asString()).as(disconnected
                    .body()).isEqualTo("revoked");
            assertThat(JsonHttp.get(sandbox.resolve("/sandbox/connections/" + minted.get("realmId").asString()))
                    .body().path("revoked").asBoolean()).isTrue();

            JsonNode refreshLine = jsonLines(state.resolve("logs/worker-1.log")).stream()
                    .filter(line -> line.path("message").asString().startsWith("refreshed connection="))
                    .findFirst().orElseThrow();
            assertThat(refreshLine.path("message").asString()).contains("outcome=refreshed");
            assertThat(refreshLine.has("connectionId")).as(refreshLine.toString()).isTrue();
            assertThat(refreshLine.path("provider").asString()).isEqualTo("quickbooks");
            assertThat(refreshLine.has("fence")).isTrue();
            try (Stream<Path> logs = Files.list(state.resolve("logs"))) {
                List<Path> files = logs.toList();
                assertThat(files).hasSize(4);
                assertThat(LeakScanner.leaksInLogs(files, List.of(Files.readString(state.resolve("admin-api-key"))
                        .strip(), Files.readString(state.resolve("token-reader-api-key")).strip()))).isEmpty();
            }
        } finally {
            // Ctrl-C
            new ProcessBuilder("kill", "-INT", Long.toString(script.pid())).start().waitFor();
            boolean stopped = script.waitFor(60, TimeUnit.SECONDS);
            if (!stopped) {
                script.destroyForcibly();
            }
            assertThat(stopped).as("run-local.sh stops on Ctrl-C").isTrue();
        }
        services.release(namespace);
        assertThat(read(output)).contains("stopped");
        assertThat(pids).allSatisfy(pid -> assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)
                .orElse(false)).as("process %d", pid).isFalse());
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }

    private static HttpResponse<String> send(HttpRequest request) throws Exception {
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static String get(URI uri) throws Exception {
        var response = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(uri)
                .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(uri.toString()).isEqualTo(200);
        return response.body();
    }

    /** The sum of a Prometheus series' values over the lines that carry the label. */
    private static double counter(String exposition, String name, String label) {
        return exposition.lines()
                .filter(line -> line.startsWith(name + "{") && line.contains(label))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }

    private static List<JsonNode> jsonLines(Path log) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            if (line.startsWith("{")) {
                lines.add(JsonHttp.JSON.readTree(line));
            }
        }
        return lines;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** A free port whose successor is free too (run-local.sh numbers the workers' ports from a base). */
    private static int freePortPair() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int port = freePort();
            try (ServerSocket next = new ServerSocket(port + 1)) {
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IllegalStateException("no two consecutive free ports");
    }

    /** The registration's sample answer in the README: the JSON block after "never a token:". */
    private static JsonNode readmeSampleAnswer() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        int after = readme.indexOf("never a token:");
        int start = readme.indexOf("```json", after) + "```json".length();
        return JsonHttp.JSON.readTree(readme.substring(start, readme.indexOf("```", start)));
    }
}
