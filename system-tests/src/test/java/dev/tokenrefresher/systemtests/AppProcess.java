package dev.tokenrefresher.systemtests;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One of the system's apps, started from its executable jar as a separate JVM, as it runs in production. Its output
 * goes to a log file that tests scan afterwards.
 */
final class AppProcess implements AutoCloseable {

    private static final Path LOG_DIR = Path.of("target", "system-test-logs");
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** Small heaps and the C1 compiler only: four JVMs share two cores with PostgreSQL and RabbitMQ. */
    private static final List<String> JVM_OPTIONS = List.of("-Xmx256m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-Xshare:auto");

    private final String name;
    private final int port;
    private final Path log;
    private final Process process;

    private AppProcess(String name, int port, Path log, Process process) {
        this.name = name;
        this.port = port;
        this.log = log;
        this.process = process;
    }

    static AppProcess start(String name, String jarProperty, String logPrefix, List<String> arguments) {
        return start(name, jarProperty, logPrefix, arguments, freePort());
    }

    /**
     * {@link #start(String, String, String, List)} on a port chosen before: for an app whose own address is one of its
     * settings (the scheduler's connect links), or that keeps its address across a restart.
     */
    static AppProcess start(String name, String jarProperty, String logPrefix, List<String> arguments, int port) {
        String jar = System.getProperty(jarProperty);
        if (jar == null || !Files.exists(Path.of(jar))) {
            throw new IllegalStateException("the " + name + " jar is missing (" + jarProperty + "=" + jar
                    + "); build the modules first: ./mvnw verify");
        }
        List<String> command = new ArrayList<>();
        command.add(System.getProperty("java.launcher", Path.of(System.getProperty("java.home"), "bin", "java")
                .toString()));
        command.addAll(JVM_OPTIONS);
        command.add("-jar");
        command.add(jar);
        command.add("--server.port=" + port);
        command.addAll(arguments);
        try {
            Files.createDirectories(LOG_DIR);
            Path log = LOG_DIR.resolve(logPrefix + "-" + name + ".log");
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            return new AppProcess(name, port, log, process);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + name, e);
        }
    }

    /** Waits until the app's health endpoint says UP. */
    AppProcess awaitHealthy() {
        await(name + " healthy").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log);
                    }
                    return healthy();
                });
        return this;
    }

    private boolean healthy() {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(url("/actuator/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 && response.body().contains("\"UP\"");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    URI url(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    String name() {
        return name;
    }

    Path log() {
        return log;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL: no shutdown hook, no graceful stop, in-flight work is cut wherever it is. */
    void kill() {
        process.destroyForcibly();
        waitForExit();
    }

    /** SIGSTOP: the process is frozen where it stands, its sockets stay open. */
    void freeze() {
        signal("-STOP");
    }

    /** SIGCONT after {@link #freeze()}. */
    void thaw() {
        signal("-CONT");
    }

    /** SIGTERM and wait: the app finishes what it is doing and exits. */
    void stop() {
        process.destroy();
        waitForExit();
    }

    /**
     * SIGTERM, as an orchestrator stops a container, and how long the app took to exit.
     *
     * @return empty when it had not exited within {@code atMost}; it is then killed (SIGKILL), as the orchestrator
     *         would at the end of its grace period
     */
    Optional<Duration> terminate(Duration atMost) {
        long sent = System.nanoTime();
        process.destroy();
        try {
            if (process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
                return Optional.of(Duration.ofNanos(System.nanoTime() - sent));
            }
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + name + " was stopping", e);
        }
    }

    private void waitForExit() {
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void signal(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", signal, String.valueOf(process.pid())).start();
            if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill " + signal + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot signal " + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            stop();
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port", e);
        }
    }
}
