package dev.tokenrefresher.bench;

import dev.tokenrefresher.common.connection.ConnectionClaims;
import dev.tokenrefresher.common.connection.RefreshOutcomes;
import dev.tokenrefresher.common.crypto.TokenCipher;
import dev.tokenrefresher.common.handoff.HandoffDrain;
import dev.tokenrefresher.common.messaging.MessagingProperties;
import dev.tokenrefresher.common.messaging.RefreshPublisher;
import dev.tokenrefresher.common.messaging.RefresherTopology;
import dev.tokenrefresher.common.provider.ProviderRegistry;
import dev.tokenrefresher.common.provider.TokenEndpointClient;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.IntSupplier;
import javax.sql.DataSource;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The benchmark: the real apps against the local PostgreSQL and RabbitMQ and the sandbox provider, a catch-up of
 * every connection due at once per worker count, then the cron-sweep baselines on the same connections; figures into
 * {@code docs/benchmarks.md}. Run it with {@code scripts/bench.sh [--quick] [--name=value ...]}.
 *
 * <p>
 * This class starts the apps, runs the phases one after the other ({@link CatchUpScenario}, {@link SteadyScenario},
 * {@link TailScenario}, {@link Footprint}), writes the report and cleans up.
 */
public final class Benchmark {

    static final String PROVIDER = "quickbooks";
    static final Duration HEALTHY_WITHIN = Duration.ofMinutes(2);

    private Benchmark() {
    }

    private static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    static void log(String line) {
        // a formatter: LocalTime.toString() leaves out zero seconds ("06:40" instead of "06:40:00")
        System.out.println(LOG_TIME.format(LocalTime.now()) + " " + line);
        System.out.flush();
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        BenchSettings settings = BenchSettings.parse(args);
        String run = UUID.randomUUID().toString().substring(0, 8);
        String schema = "bench_" + run;
        String prefix = "bench-" + run;
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        String clientSecret = "bench-secret-" + UUID.randomUUID();
        String postgres = env("REFRESHER_BENCH_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/test");
        Map<String, String> common = new LinkedHashMap<>();
        common.put("spring.datasource.url", postgres + (postgres.contains("?") ? "&" : "?") + "currentSchema="
                + schema);
        common.put("spring.datasource.username", env("REFRESHER_BENCH_POSTGRES_USER", "postgres"));
        common.put("spring.datasource.password", env("REFRESHER_BENCH_POSTGRES_PASSWORD", ""));
        common.put("spring.flyway.schemas", schema);
        common.put("spring.flyway.default-schema", schema);
        common.put("spring.rabbitmq.host", env("REFRESHER_BENCH_RABBITMQ_HOST", "127.0.0.1"));
        common.put("spring.rabbitmq.port", env("REFRESHER_BENCH_RABBITMQ_PORT", "5672"));
        common.put("spring.rabbitmq.username", env("REFRESHER_BENCH_RABBITMQ_USER", "guest"));
        common.put("spring.rabbitmq.password", env("REFRESHER_BENCH_RABBITMQ_PASSWORD", "guest"));
        common.put("refresher.messaging.prefix", prefix);
        common.put("refresher.crypto.primary-key-id", "bench");
        common.put("refresher.crypto.keys.bench", Base64.getEncoder().encodeToString(key));
        common.put("refresher.providers." + PROVIDER + ".client-id", "bench-client");
        common.put("refresher.providers." + PROVIDER + ".client-secret", clientSecret);
        common.putAll(settings.sharedProperties());

        List<AppProcess> apps = new ArrayList<>();
        ConfigurableApplicationContext context = null;
        log("benchmark " + run + ": " + settings);
        // Ctrl-C or a kill ends this JVM without running the finally blocks below: the apps it started end with it.
        // (Its schema and queues stay then: bench_<run> and bench-<run>.*.)
        Runtime.getRuntime().addShutdownHook(new Thread(() -> ProcessHandle.current().descendants().forEach(
                ProcessHandle::destroy)));
        try {
            AppProcess sandbox = track(apps, AppProcess.start("sandbox", "sandbox", "1g", Map.of(
                    "sandbox.client-id", "bench-client", "sandbox.client-secret", clientSecret,
                    "sandbox.latency", settings.latency().toMillis() + "ms",
                    "sandbox.access-token-lifetime", "3600s", "logging.level.root", "WARN")));
            sandbox.awaitHealthy(HEALTHY_WITHIN);
            common.put("refresher.providers." + PROVIDER + ".token-uri", sandbox.url("/oauth2/v1/tokens/bearer")
                    .toString());
            SandboxClient provider = new SandboxClient(sandbox.url("/"));

            Map<String, Object> benchProperties = new LinkedHashMap<>(common);
            benchProperties.put("spring.datasource.hikari.maximum-pool-size", "16");
            benchProperties.put("logging.level.root", "WARN");
            benchProperties.put("spring.main.banner-mode", "off");
            // as arguments, the highest precedence: nothing on the class path may point the context elsewhere
            context = new SpringApplicationBuilder(BenchContext.class).web(WebApplicationType.NONE)
                    .run(benchProperties.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue())
                            .toArray(String[]::new));
            ConfigurableApplicationContext beans = context;
            Runnable purgeQueues = () -> purgeQueues(beans);
            JdbcClient jdbc = context.getBean(JdbcClient.class);
            // the very servers it talks to: a machine may run more of each
            ServerProcesses.Servers servers = ServerProcesses.Servers.of(Integer.parseInt(common.get(
                    "spring.rabbitmq.port")), jdbc);
            log("measuring the broker's processes " + servers.broker().get() + " and the database server's "
                    + servers.database().get());
            ConnectionCopier copier = new ConnectionCopier(context.getBean(DataSource.class), context.getBean(
                    TokenCipher.class), PROVIDER);
            Seeder seeder = new Seeder(copier, context.getBean(RefreshPublisher.class), jdbc, PROVIDER);

            AppProcess scheduler = track(apps, AppProcess.start("scheduler", "scheduler", "256m", properties(common,
                    Map.of("refresher.sweep.enabled", "false", "refresher.security.api-keys[0].name", "bench",
                            "refresher.security.api-keys[0].key", "bench-admin-" + UUID.randomUUID(),
                            "refresher.security.api-keys[0].roles", "admin"))));
            scheduler.awaitHealthy(HEALTHY_WITHIN);

            long started = System.nanoTime();
            List<SandboxClient.Minted> minted = provider.mint(settings.connections());
            log("minted " + minted.size() + " connections at the sandbox in " + seconds(started) + " s");
            started = System.nanoTime();
            seeder.store(minted);
            log("stored them in " + seconds(started) + " s");
            minted = null;

            AmqpAdmin admin = context.getBean(AmqpAdmin.class);
            String workQueue = new RefresherTopology(context.getBean(MessagingProperties.class)).workQueue(PROVIDER);
            IntSupplier consumers = () -> admin.getQueueInfo(workQueue).getConsumerCount();
            SweepBaseline sweep = new SweepBaseline(context.getBean(ConnectionClaims.class),
                    context.getBean(RefreshOutcomes.class),
                    context.getBean(
                            TokenEndpointClient.class),
                    jdbc, context.getBean(ProviderRegistry.class).get(PROVIDER));
            MeteredProcesses processes = new MeteredProcesses(sandbox, scheduler, servers);
            List<RunResult> results = new CatchUpScenario(settings, common, seeder, provider, sweep, processes,
                    consumers).run();
            List<SteadyResult> steady = settings.steady().duration().isZero()
                    ? List.of()
                    : new SteadyScenario(settings, common, seeder, provider, sweep, processes, jdbc, purgeQueues)
                            .run();
            List<TailResult> tail = List.of();
            if (!settings.tail().cases().isEmpty()) {
                purgeQueues.run();
                try (ClaimLog claims = new ClaimLog(jdbc)) {
                    tail = new TailScenario(settings, common, seeder, provider, sweep, purgeQueues,
                            workers -> processes.meter(workers).component("bench JVM", () -> List.of(
                                    ProcessHandle.current().pid())))
                            .run(claims);
                }
            }
            Footprint.Result footprint = null;
            if (settings.footprintConnections() > 0) {
                footprint = new Footprint(copier, jdbc, context.getBean(RefreshPublisher.class), PROVIDER, servers
                        .broker()).runWithOneWorker(settings, common, scheduler);
            }
            Capacity capacity = steady.isEmpty()
                    ? null
                    : Capacity.of(Capacity.costs(steady.getFirst(), steady.getFirst().walBytes(), footprint,
                            TableSizes.measure(jdbc)));
            String rabbitVersion = context.getBean(RabbitTemplate.class).execute(channel -> String.valueOf(channel
                    .getConnection().getServerProperties().get("version")));
            String postgresVersion = jdbc.sql("SHOW server_version").query(String.class).single();
            Report.write(settings, Environment.describe("PostgreSQL " + postgresVersion, "RabbitMQ "
                    + rabbitVersion), results, steady, footprint, tail, capacity);
            log("report written to " + settings.report());
            ConsoleSummary.log(results, steady, capacity, tail);
        } finally {
            for (int i = apps.size() - 1; i >= 0; i--) {
                apps.get(i).close();
            }
            if (context != null) {
                cleanUp(context, schema, prefix);
                context.close();
            }
        }
    }

    /**
     * Empties the run's queues: the stopped workers' next messages would otherwise go on hopping down the delay ladder,
     * and the broker's CPU for them would be counted against the sweep that runs next.
     */
    private static void purgeQueues(ConfigurableApplicationContext context) {
        RefresherTopology topology = new RefresherTopology(context.getBean(MessagingProperties.class));
        AmqpAdmin admin = context.getBean(AmqpAdmin.class);
        topology.queueNames(List.of(PROVIDER)).forEach(queue -> admin.purgeQueue(queue, false));
    }

    private static void cleanUp(ConfigurableApplicationContext context, String schema, String prefix) {
        try {
            // the benchmark's own hand-off drain would otherwise run once more against the dropped tables
            context.getBeansOfType(HandoffDrain.class).values().forEach(HandoffDrain::stop);
            context.getBean(JdbcClient.class).sql("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE").update();
            RefresherTopology topology = new RefresherTopology(context.getBean(MessagingProperties.class));
            AmqpAdmin admin = context.getBean(AmqpAdmin.class);
            topology.queueNames(List.of(PROVIDER)).forEach(admin::deleteQueue);
            topology.exchangeNames().forEach(admin::deleteExchange);
            log("removed schema " + schema + " and the " + prefix + ".* queues and exchanges");
        } catch (RuntimeException e) {
            log("clean-up incomplete (" + e.getMessage() + "); drop schema " + schema + " and the " + prefix
                    + ".* queues by hand");
        }
    }

    static Map<String, String> properties(Map<String, String> common, Map<String, String> own) {
        Map<String, String> properties = new LinkedHashMap<>(common);
        properties.putAll(own);
        return properties;
    }

    private static AppProcess track(List<AppProcess> apps, AppProcess app) {
        apps.add(app);
        return app;
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    static String seconds(long startedNanos) {
        return String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - startedNanos) / 1e9);
    }
}
