package dev.tokenrefresher.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.springframework.boot.SpringBootVersion;

/** The machine and the versions a report's figures come from. */
record Environment(String date, Map<String, String> facts) {

    static Environment describe(String postgresVersion, String rabbitmqVersion) {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("CPU", firstLine("/proc/cpuinfo", "model name").replaceFirst(".*:\\s*", "") + ", "
                + Runtime.getRuntime().availableProcessors() + " cores");
        facts.put("memory", firstLine("/proc/meminfo", "MemTotal").replaceFirst(".*:\\s*", "").strip());
        facts.put("OS", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        facts.put("Java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        facts.put("PostgreSQL", postgresVersion);
        facts.put("RabbitMQ", rabbitmqVersion);
        facts.put("token-refresher", Optional.ofNullable(Environment.class.getPackage().getImplementationVersion())
                .orElse("unknown version") + ", Spring Boot " + SpringBootVersion.getVersion());
        return new Environment(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), facts);
    }

    private static String firstLine(String file, String prefix) {
        try {
            return Files.readAllLines(Path.of(file)).stream().filter(l -> l.startsWith(prefix)).findFirst().orElse(
                    "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
