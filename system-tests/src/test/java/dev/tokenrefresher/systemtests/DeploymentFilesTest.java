package dev.tokenrefresher.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;

/**
 * The compose stack, the image recipe and the monitoring configuration agree with each other and with the build:
 * checked without Docker, so that CI catches a broken file even where no engine runs.
 */
class DeploymentFilesTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> services() throws IOException {
        Map<String, Object> compose = new Yaml().load(Files.readString(ROOT.resolve("docker-compose.yml")));
        return (Map<String, Map<String, Object>>) compose.get("services");
    }

    @Test
    void everyComposeServiceHasAHealthCheck() throws IOException {
        assertThat(services()).isNotEmpty().allSatisfy((name, service) -> {
            assertThat(service).as(name).containsKey("healthcheck");
            assertThat((Map<String, Object>) service.get("healthcheck")).as(name).containsKey("test");
        });
    }

    @Test
    @SuppressWarnings("unchecked")
    void theAppServicesAreBuiltFromTheirModulesAndWaitForHealthyInfrastructure() throws IOException {
        Map<String, Map<String, Object>> services = services();
        String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
        List<String> built = new ArrayList<>();
        services.forEach((name, service) -> {
            if (service.get("build") instanceof Map<?, ?> build) {
                String module = String.valueOf(((Map<String, Object>) build.get("args")).get("MODULE"));
                built.add(module);
                assertThat(ROOT.resolve(module).resolve("pom.xml")).as(name).exists();
                assertThat(dockerfile).as(name).contains("COPY " + module + "/pom.xml", "COPY " + module + "/src/");
            }
            if (service.get("depends_on") instanceof Map<?, ?> dependsOn) {
                assertThat(services.keySet()).as(name).containsAll((java.util.Set<String>) dependsOn.keySet());
            }
        });
        assertThat(built).containsExactlyInAnyOrder("sandbox", "scheduler", "worker");
        for (String app : List.of("scheduler", "worker")) {
            assertThat(((Map<String, Object>) services.get(app).get("depends_on")).get("postgres")).as(app)
                    .isEqualTo(Map.of("condition", "service_healthy"));
        }
        // every module's pom is in the image's build context, or the reactor would not resolve
        Matcher modules = Pattern.compile("<module>([^<]+)</module>").matcher(Files.readString(ROOT.resolve(
                "pom.xml")));
        while (modules.find()) {
            assertThat(dockerfile).contains("COPY " + modules.group(1) + "/pom.xml");
        }
        assertThat(dockerfile).contains("USER 10001", "-Djarmode=tools", "--layers", "MaxRAMPercentage");
    }

    @Test
    void theWorkersScaleWithoutFixedNamesOrHostPorts() throws IOException {
        Map<String, Object> worker = services().get("worker");
        assertThat(worker).doesNotContainKeys("container_name", "ports");
        assertThat(Files.readString(ROOT.resolve("config/prometheus/prometheus.yml"))).contains("dns_sd_configs",
                "names: [\"worker\"]", "/actuator/prometheus");
    }

    @Test
    void theDashboardQueriesOnlyDocumentedMetrics() throws IOException {
        JsonNode dashboard = JsonHttp.JSON.readTree(ROOT.resolve("config/grafana/dashboards/token-refresher.json")
                .toFile());
        String documented = Files.readString(ROOT.resolve("docs/metrics.md"));
        Matcher names = Pattern
                .compile("(refresher_[a-z_]+?|resilience4j_[a-z_]+?)(_total|_bucket|_max|_count|_sum)?\\b")
                .matcher(dashboard.findValuesAsString("expr").toString());
        int found = 0;
        while (names.find()) {
            assertThat(documented).as(names.group()).contains("`" + names.group(1));
            found++;
        }
        assertThat(found).isGreaterThan(5);
    }

    @Test
    void theComposeStackRunsTheVersionsTheReadmeSupports() throws IOException {
        Map<String, Map<String, Object>> services = services();
        String readme = Files.readString(ROOT.resolve("README.md"));
        Map<String, String> expected = Map.of("postgres", "postgres:17-", "rabbitmq", "rabbitmq:4.",
                "prometheus", "prom/prometheus:v3.", "grafana", "grafana/grafana:12.");
        expected.forEach((service, versionPrefix) -> {
            String image = String.valueOf(services.get(service).get("image"));
            assertThat(image).as(service).startsWith(versionPrefix);
            assertThat(readme).as("README names the image of " + service).contains("`" + image + "`");
        });
        assertThat(Files.readString(ROOT.resolve("Dockerfile"))).contains("FROM eclipse-temurin:25-jre");
    }

    @Test
    void dockerComposeAcceptsTheFile() throws Exception {
        Path composeCli = Path.of("/usr/bin/docker-compose");
        assumeTrue(Files.isExecutable(composeCli), "docker-compose is not installed (.ci/run installs it)");
        Process process = new ProcessBuilder(composeCli.toString(), "-f", "docker-compose.yml", "config", "-q")
                .directory(ROOT.toFile()).redirectErrorStream(true).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.exitValue()).as(output).isZero();
    }
}
