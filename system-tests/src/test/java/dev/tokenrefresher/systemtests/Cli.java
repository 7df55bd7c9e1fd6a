package dev.tokenrefresher.systemtests;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@code refresherctl} run as an operator runs it: the packaged jar in its own JVM, configured by environment. */
final class Cli {

    private static final Path JAR = Path.of(System.getProperty("cli.jar", "../cli/target/cli-0.1.0-SNAPSHOT-exec.jar"));
    private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");

    private final URI scheduler;
    private final String apiKey;

    Cli(URI scheduler, String apiKey) {
        this.scheduler = scheduler;
        this.apiKey = apiKey;
    }

    record Result(int exitCode, String out, String err) {
    }

    Result run(String... arguments) {
        List<String> command = new ArrayList<>(List.of(JAVA.toString(), "-Xshare:auto", "-jar", JAR.toString()));
        command.addAll(List.of(arguments));
        try {
            Path out = Files.createTempFile("refresherctl", ".out");
            Path err = Files.createTempFile("refresherctl", ".err");
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err
                    .toFile());
            builder.environment().put("REFRESHER_URL", scheduler.toString());
            builder.environment().put("REFRESHER_API_KEY", apiKey);
            Process process = builder.start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("refresherctl " + String.join(" ", arguments) + " did not finish");
            }
            Result result = new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files
                    .readString(err, StandardCharsets.UTF_8));
            Files.delete(out);
            Files.delete(err);
            return result;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run refresherctl", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
