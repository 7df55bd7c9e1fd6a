package dev.tokenrefresher.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tokenrefresher.worker.refresh.WorkerProperties;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
    /** What a stopping JVM needs beyond the worker's shutdown grace: the rest of the context's close, and the exit. */
    private static final Duration SHUTDOWN_MARGIN = Duration.ofSeconds(10);

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
        Set<String> built = new HashSet<>();
        services.forEach((name, service) -> {
            if (service.get("build") instanceof Map<?, ?> build) {
                String module = String.valueOf(((Map<String, Object>) build.get("args")).get("MODULE"));
                built.add(module);
                assertThat(ROOT.resolve(module).resolve("pom.xml")).as(name).exists();
                assertThat(dockerfile).as(name).contains("COPY " + module + "/pom.xml", "COPY " + module + "/src/");
            }
            if (service.get("depends_on") instanceof Map<?, ?> dependsOn) {
                assertThat(services.keySet()).as(name).containsAll((Set<String>) dependsOn.keySet());
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

    /**
     * Issue 20 point 8: the orchestrators let a stopping worker use its whole shutdown grace, and a margin for the
     * rest of the JVM's stop, before they kill it (docker compose's own default is 10 s).
     */
    @Test
    @SuppressWarnings("unchecked")
    void theOrchestratorsWaitLongerThanAWorkersShutdownGraceBeforeTheyKillIt() throws IOException {
        Duration atLeast = WorkerProperties.DEFAULT_SHUTDOWN_GRACE.plus(SHUTDOWN_MARGIN);
        String compose = String.valueOf(services().get("worker").get("stop_grace_period"));
        assertThat(Duration.parse("PT" + compose.toUpperCase(java.util.Locale.ROOT))).as("docker compose "
                + "stop_grace_period of the worker").isGreaterThanOrEqualTo(atLeast);
        Map<String, Object> deployment = null;
        for (Object document : new Yaml().loadAll(Files.readString(ROOT.resolve("deploy/kubernetes/worker.yaml")))) {
            if (document instanceof Map<?, ?> map && "Deployment".equals(map.get("kind"))) {
                deployment = (Map<String, Object>) map;
            }
        }
        assertThat(deployment).as("the worker's Deployment").isNotNull();
        Map<String, Object> pod = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) deployment
                .get("spec")).get("template")).get("spec");
        assertThat(Duration.ofSeconds(((Number) pod.get("terminationGracePeriodSeconds")).longValue())).as(
                "Kubernetes terminationGracePeriodSeconds of the worker").isGreaterThanOrEqualTo(atLeast);
    }

    @Test
    void theWorkersScaleWithoutFixedNamesOrHostPorts() throws IOException {
        for (String name : List.of("worker", "worker-cluster")) {
            assertThat(services().get(name)).as(name).doesNotContainKeys("container_name", "ports");
        }
        assertThat(Files.readString(ROOT.resolve("config/prometheus/prometheus.yml"))).contains("dns_sd_configs",
                "names: [\"worker\"]", "/actuator/prometheus");
    }

    @Test
    void theDashboardQueriesOnlyDocumentedMetrics() throws IOException {
        JsonNode dashboard = JsonHttp.JSON.readTree(ROOT.resolve("config/grafana/dashboards/token-refresher.json")
                .toFile());
        assertThat(documentedMetricsIn(dashboard.findValuesAsString("expr").toString())).isGreaterThan(5);
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyAlertSaysHowLongHowBadAndWhatToLookAt() throws IOException {
        List<Map<String, Object>> alerts = alertRules().stream().filter(rule -> rule.containsKey("alert")).toList();

        assertThat(alerts).extracting(rule -> rule.get("alert")).contains("RefreshesLate", "RefreshesAfterExpiry",
                "RefreshBacklog", "DeadLettersUnsent");
        assertThat(alerts).allSatisfy(rule -> {
            String name = String.valueOf(rule.get("alert"));
            assertThat(rule).as(name).containsKeys("expr", "for");
            assertThat((Map<String, Object>) rule.get("labels")).as(name).containsKey("severity");
            assertThat((Map<String, Object>) rule.get("annotations")).as(name).containsKeys("summary",
                    "description");
        });
        // the workers' WARN line and the alert start at the same lateness
        assertThat(alerts).filteredOn(rule -> rule.get("alert").equals("RefreshesLate")).singleElement()
                .extracting(rule -> String.valueOf(rule.get("expr")).strip())
                .asString().endsWith("> " + WorkerProperties.DEFAULT_LATE_WARNING.toSeconds());
    }

    @Test
    void theAlertRulesQueryOnlyDocumentedMetricsOrOnesTheyRecord() throws IOException {
        List<Map<String, Object>> rules = alertRules();
        String expressions = rules.stream().map(rule -> String.valueOf(rule.get("expr"))).toList().toString();
        for (Map<String, Object> rule : rules) {
            if (rule.get("record") instanceof String recorded) {
                assertThat(expressions).as(recorded + " is used").contains(recorded);
                expressions = expressions.replace(recorded, "");
            }
        }
        assertThat(documentedMetricsIn(expressions)).isGreaterThanOrEqualTo(4);
    }

    @Test
    @SuppressWarnings("unchecked")
    void prometheusLoadsTheAlertRulesInTheComposeStack() throws IOException {
        Map<String, Object> prometheus = new Yaml().load(Files.readString(ROOT.resolve(
                "config/prometheus/prometheus.yml")));
        assertThat((List<String>) prometheus.get("rule_files")).containsExactly("alerts.yml");
        // rule files are found beside prometheus.yml, where compose mounts it
        assertThat((List<String>) services().get("prometheus").get("volumes")).contains(
                "./config/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro",
                "./config/prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro");
    }

    @Test
    void promtoolAcceptsTheConfigurationAndTheAlertsPassTheirTests() throws Exception {
        Path promtool = Path.of("/usr/bin/promtool");
        assumeTrue(Files.isExecutable(promtool), "promtool is not installed (Debian's package prometheus has it)");
        Path config = ROOT.resolve("config/prometheus");
        assertSucceeds(config, promtool.toString(), "check", "config", "prometheus.yml");
        assertSucceeds(config, promtool.toString(), "test", "rules", "alerts.test.yml");
    }

    /** Asserts that every metric the PromQL in {@code expressions} names is in docs/metrics.md; returns how many. */
    private static int documentedMetricsIn(String expressions) throws IOException {
        String documented = Files.readString(ROOT.resolve("docs/metrics.md"));
        Matcher names = Pattern
                .compile("(refresher_[a-z_]+?|resilience4j_[a-z_]+?)(_total|_bucket|_max|_count|_sum)?\\b")
                .matcher(expressions);
        int found = 0;
        while (names.find()) {
            assertThat(documented).as(names.group()).contains("`" + names.group(1));
            found++;
        }
        return found;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> alertRules() throws IOException {
        Map<String, Object> file = new Yaml().load(Files.readString(ROOT.resolve("config/prometheus/alerts.yml")));
        return ((List<Map<String, Object>>) file.get("groups")).stream()
                .flatMap(group -> ((List<Map<String, Object>>) group.get("rules")).stream()).toList();
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
        assertSucceeds(ROOT, composeCli.toString(), "-f", "docker-compose.yml", "config", "-q");
        assertSucceeds(ROOT, composeCli.toString(), "-f", "docker-compose.yml", "--profile", "cluster", "config",
                "-q");
    }

    /** The profile's RabbitMQ nodes, by service name, each with the node name it runs as. */
    private static final Map<String, String> CLUSTER_NODES = Map.of("rabbitmq-1", "rabbit@rabbitmq-1", "rabbitmq-2",
            "rabbit@rabbitmq-2", "rabbitmq-3", "rabbit@rabbitmq-3");
    private static final String CLUSTER_CONF = "config/rabbitmq/cluster/cluster.conf";

    /**
     * Issue 21 point 4: {@code docker compose --profile cluster up} runs three RabbitMQ nodes that find each other by
     * classic peer discovery, every node listed, one shared cookie that keygen generates (no secret in the file).
     */
    @Test
    @SuppressWarnings("unchecked")
    void theClusterProfileRunsThreeRabbitMqNodesThatListEachOtherAndShareAGeneratedCookie() throws IOException {
        Map<String, Map<String, Object>> services = services();
        Map<String, String> conf = rabbitmqConf(ROOT.resolve(CLUSTER_CONF));
        assertThat(conf).containsEntry("cluster_formation.peer_discovery_backend", "classic_config");
        Set<String> listed = new HashSet<>();
        conf.forEach((key, value) -> {
            if (key.startsWith("cluster_formation.classic_config.nodes.")) {
                listed.add(value);
            }
        });
        assertThat(listed).as("the nodes peer discovery lists").containsExactlyInAnyOrderElementsOf(CLUSTER_NODES
                .values());
        String keygen = String.valueOf(services.get("keygen").get("command"));
        assertThat(keygen).contains("/keys/rabbitmq-erlang-cookie", "/dev/urandom");

        CLUSTER_NODES.forEach((name, node) -> {
            Map<String, Object> service = services.get(name);
            assertThat(service).as(name).isNotNull();
            assertThat((List<String>) service.get("profiles")).as(name).containsExactly("cluster");
            assertThat(String.valueOf(service.get("image"))).as(name).isEqualTo(String.valueOf(services.get(
                    "rabbitmq").get("image")));
            Map<String, Object> environment = (Map<String, Object>) service.get("environment");
            assertThat(environment).as(name).containsEntry("RABBITMQ_NODENAME", node).doesNotContainKey(
                    "RABBITMQ_ERLANG_COOKIE");
            // the node's name is rabbit@<its hostname>, the name the others reach it by
            assertThat(node).as(name).isEqualTo("rabbit@" + service.get("hostname"));
            assertThat((List<String>) service.get("volumes")).as(name).contains("keys:/etc/refresher/keys:ro",
                    "./config/rabbitmq/advanced.config:/etc/rabbitmq/advanced.config:ro",
                    "./" + CLUSTER_CONF + ":/etc/rabbitmq/conf.d/90-cluster.conf:ro");
            assertThat(String.valueOf(service.get("entrypoint"))).as(name).contains(
                    "/etc/refresher/keys/rabbitmq-erlang-cookie", "/var/lib/rabbitmq/.erlang.cookie", "-m 400",
                    "docker-entrypoint.sh rabbitmq-server");
            assertThat(((Map<String, Object>) service.get("depends_on")).get("keygen")).as(name).isEqualTo(Map.of(
                    "condition", "service_completed_successfully"));
            assertThat(String.valueOf(((Map<String, Object>) service.get("healthcheck")).get("test"))).as(name)
                    .contains("rabbitmq-diagnostics");
        });
        // each node its own data: a shared volume would make three copies of one node
        assertThat(CLUSTER_NODES.keySet().stream().map(name -> ((List<String>) services.get(name).get("volumes"))
                .getFirst()).distinct()).hasSize(CLUSTER_NODES.size());
    }

    /**
     * The profile's apps reach every node of the cluster, wait until each is healthy, and keep their tables apart from
     * the single-broker stack's (two installations side by side; never two brokers under one set of connections).
     */
    @Test
    @SuppressWarnings("unchecked")
    void theClusterProfilesAppsGetEveryNodesAddressAndTheirOwnSchema() throws IOException {
        Map<String, Map<String, Object>> services = services();
        Set<String> addresses = new HashSet<>();
        CLUSTER_NODES.keySet().forEach(name -> addresses.add(services.get(name).get("hostname") + ":5672"));
        for (String app : List.of("scheduler-cluster", "worker-cluster")) {
            Map<String, Object> service = services.get(app);
            assertThat(service).as(app).isNotNull();
            assertThat((List<String>) service.get("profiles")).as(app).containsExactly("cluster");
            Map<String, Object> environment = (Map<String, Object>) service.get("environment");
            assertThat(Arrays.asList(String.valueOf(environment.get("RABBITMQ_ADDRESSES")).split(","))).as(app)
                    .containsExactlyInAnyOrderElementsOf(addresses);
            assertThat(addresses).as(app + ": RABBITMQ_HOST, where addresses are not supported").contains(
                    environment.get("RABBITMQ_HOST") + ":5672");
            Map<String, Object> dependsOn = (Map<String, Object>) service.get("depends_on");
            assertThat(dependsOn).as(app).doesNotContainKey("rabbitmq");
            CLUSTER_NODES.keySet().forEach(node -> assertThat(dependsOn.get(node)).as(app + " waits for " + node)
                    .isEqualTo(Map.of("condition", "service_healthy")));
            assertThat(String.valueOf(environment.get("DATABASE_URL"))).as(app).endsWith("?currentSchema=cluster");
            assertThat(environment).as(app).containsEntry("SPRING_FLYWAY_SCHEMAS", "cluster").containsEntry(
                    "SPRING_FLYWAY_DEFAULTSCHEMA", "cluster");
            assertThat(String.valueOf(environment.get("REFRESHER_PROVIDERS_QUICKBOOKS_TOKENURI"))).as(app).contains(
                    "sandbox-cluster:9090");
        }
        assertThat(String.valueOf(((Map<String, Object>) services.get("sandbox-cluster").get("environment")).get(
                "SANDBOX_DEMO_REGISTERURL"))).startsWith("http://scheduler-cluster:8080/");
        // the default stack never needs the profile: no service outside it depends on one inside
        services.forEach((name, service) -> {
            if (!service.containsKey("profiles") && service.get("depends_on") instanceof Map<?, ?> dependsOn) {
                dependsOn.keySet().forEach(dependency -> assertThat(services.get(String.valueOf(dependency)))
                        .as(name + " depends on " + dependency).doesNotContainKey("profiles"));
            }
        });
    }

    @Test
    @SuppressWarnings("unchecked")
    void noTwoComposeServicesPublishTheSameHostPort() throws IOException {
        List<String> hostPorts = new ArrayList<>();
        services().forEach((name, service) -> ((List<String>) service.getOrDefault("ports", List.of())).forEach(
                port -> hostPorts.add(port.substring(0, port.lastIndexOf(':')))));
        assertThat(hostPorts).doesNotHaveDuplicates().hasSizeGreaterThan(8);
    }

    /** A rabbitmq.conf's settings ({@code key = value}, comments and blank lines left out). */
    private static Map<String, String> rabbitmqConf(Path file) throws IOException {
        Map<String, String> settings = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            String setting = line.strip();
            if (setting.isEmpty() || setting.startsWith("#")) {
                continue;
            }
            String[] pair = setting.split("=", 2);
            assertThat(pair).as(file + ": " + line).hasSize(2);
            assertThat(settings.put(pair[0].strip(), pair[1].strip())).as(file + " sets " + pair[0] + " twice")
                    .isNull();
        }
        return settings;
    }

    private static void assertSucceeds(Path directory, String... command) throws Exception {
        // into a file, not a pipe: a long failure report would fill the pipe and stall the command
        Path output = Files.createTempFile("deployment-check", ".log");
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(String.join(" ", command)).isTrue();
        assertThat(process.exitValue()).as(Files.readString(output)).isZero();
        Files.delete(output);
    }
}
