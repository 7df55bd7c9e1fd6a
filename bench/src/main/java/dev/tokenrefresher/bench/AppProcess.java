package dev.tokenrefresher.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.ObjectMapper;

/** One of the apps, started from its executable jar as a separate JVM, as it runs in production. */
final class AppProcess implements AutoCloseable {

    static final Path LOG_DIR = Path.of("bench", "target", "bench-logs");
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String VERSION = "0.1.0-SNAPSHOT";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final int port;
    private final Process process;

    private AppProcess(String name, int port, Process process) {
        this.name = name;
        this.port = port;
        this.process = process;
    }

    /**
     * @param module {@code sandbox}, {@code scheduler} or {@code worker}: runs {@code <module>/target/...-exec.jar}
     * @param properties the app's settings; they reach it as {@code SPRING_APPLICATION_JSON} in its environment, not
     *            on its command line, where every user of the machine could read the secrets among them ({@code ps})
     */
    static AppProcess start(String name, String module, String heap, Map<String, String> properties) {
        Path jar = Path.of(module, "target", module + "-" + VERSION + "-exec.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing; build it first: ./mvnw -DskipTests package");
        }
        int port = freePort();
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx"
                + heap, "-XX:+UseSerialGC", "-jar", jar.toString(), "--server.port=" + port);
        try {
            Files.createDirectories(LOG_DIR);
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(LOG_DIR.resolve(name + ".log").toFile());
            builder.environment().put("SPRING_APPLICATION_JSON", JSON.writeValueAsString(properties));
            Process process = builder.start();
            return new AppProcess(name, port, process);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + name, e);
        }
    }

    AppProcess awaitHealthy(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see "
                        + LOG_DIR.resolve(name + ".log"));
            }
            try {
                HttpResponse<String> health = HTTP.send(HttpRequest.newBuilder(url("/actuator/health")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (health.statusCode() == 200 && health.body().contains("\"UP\"")) {
                    return this;
                }
            } catch (IOException notYet) {
                // still starting
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(Duration.ofMillis(250));
        }
        throw new IllegalStateException(name + " did not become healthy within " + timeout);
    }

    /** GETs a path of this app and returns the body; fails on anything but 200. */
    String get(String path) {
        return send(HttpRequest.newBuilder(url(path)), path);
    }

    /** POSTs a JSON body to a path of this app and returns the answer's body; fails on anything but 200. */
    String post(String path, String json) {
        return send(HttpRequest.newBuilder(url(path)).header("Content-Type", "application/json").POST(
                HttpRequest.BodyPublishers.ofString(json)), path);
    }

    private String send(HttpRequest.Builder request, String path) {
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(name + " answered " + response.statusCode() + " for " + path);
            }
            return response.body();
        } catch (IOException e) {
            throw new IllegalStateException(name + " unreachable for " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    URI url(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    long pid() {
        return process.pid();
    }

    String name() {
        return name;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
