package dev.tokenrefresher.common.test;

import dev.tokenrefresher.common.crypto.CryptoProperties;
import dev.tokenrefresher.common.messaging.MessagingProperties;
import dev.tokenrefresher.common.messaging.RefresherTopology;
import java.security.SecureRandom;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.rabbitmq.RabbitMQContainer;

/**
 * The real PostgreSQL and RabbitMQ every integration test talks to, one set per test JVM.
 *
 * <p>Where Docker runs, Testcontainers starts both; elsewhere the local services are used (PostgreSQL on
 * 127.0.0.1:5432, database {@code test}, user {@code postgres}; RabbitMQ on 127.0.0.1:5672, guest/guest). Environment
 * variables override either choice: {@code REFRESHER_TEST_POSTGRES_URL}, {@code _USER}, {@code _PASSWORD};
 * {@code REFRESHER_TEST_RABBITMQ_HOST}, {@code _PORT}, {@code _USER}, {@code _PASSWORD}; {@code REFRESHER_TEST_DOCKER=false}
 * forces the local services.
 *
 * <p>A shared database and broker would leak state between runs and between tests, so state lives in a
 * {@link Namespace}: a schema and an exchange/queue prefix of its own, removed when the JVM exits. Each JVM has a
 * default namespace; a test that must not see another's connections or messages asks for a fresh one.
 */
public final class TestServices {

    private static final String RUN_ID = UUID.randomUUID().toString().substring(0, 8);
    /** Where Docker runs: the versions docker-compose.yml runs. */
    private static final String POSTGRES_IMAGE = "postgres:17-alpine";
    private static final String RABBITMQ_IMAGE = "rabbitmq:4.2-management";
    private static volatile TestServices instance;

    private final Postgres postgres;
    private final Rabbit rabbit;
    private final String encryptionKey;
    private final AtomicInteger namespaces = new AtomicInteger();
    private final Set<Namespace> created = ConcurrentHashMap.newKeySet();
    private final Set<String> providersUsed = ConcurrentHashMap.newKeySet();
    private final Namespace defaultNamespace;

    /**
     * Where one test's state lives.
     *
     * @param schema the PostgreSQL schema Flyway migrates
     * @param messagingPrefix the {@code refresher.messaging.prefix} of every exchange and queue
     */
    public record Namespace(String schema, String messagingPrefix) {
    }

    private TestServices() {
        boolean docker = useDocker();
        this.postgres = postgres(docker);
        this.rabbit = rabbit(docker);
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        this.encryptionKey = Base64.getEncoder().encodeToString(key);
        Runtime.getRuntime().addShutdownHook(new Thread(this::cleanUp, "test-services-cleanup"));
        this.defaultNamespace = newNamespace();
    }

    public static TestServices get() {
        if (instance == null) {
            synchronized (TestServices.class) {
                if (instance == null) {
                    instance = new TestServices();
                }
            }
        }
        return instance;
    }

    /** A fresh schema and queue prefix, dropped and deleted when the JVM exits. */
    public Namespace newNamespace() {
        int n = namespaces.getAndIncrement();
        Namespace namespace = new Namespace("tr_test_" + RUN_ID + "_" + n, "tr-test-" + RUN_ID + "-" + n);
        execute("CREATE SCHEMA IF NOT EXISTS " + namespace.schema());
        created.add(namespace);
        return namespace;
    }

    public Namespace defaultNamespace() {
        return defaultNamespace;
    }

    /** The default namespace's exchange and queue prefix. */
    public String messagingPrefix() {
        return defaultNamespace.messagingPrefix();
    }

    public String jdbcUrl() {
        return jdbcUrl(defaultNamespace);
    }

    public String jdbcUrl(Namespace namespace) {
        return postgres.url() + (postgres.url().contains("?") ? "&" : "?") + "currentSchema=" + namespace.schema();
    }

    /** The namespace's JDBC URL with PostgreSQL's host and port replaced by a local proxy's, e.g. a {@link BlackholeProxy}. */
    public String jdbcUrl(Namespace namespace, int localProxyPort) {
        return jdbcUrl(namespace).replaceFirst("^jdbc:postgresql://[^/]+/", "jdbc:postgresql://127.0.0.1:"
                + localProxyPort + "/");
    }

    /** PostgreSQL's host, from its JDBC URL. */
    public String postgresHost() {
        return hostAndPort()[0];
    }

    /** PostgreSQL's port, from its JDBC URL (5432 when it names none). */
    public int postgresPort() {
        String[] hostAndPort = hostAndPort();
        return hostAndPort.length > 1 ? Integer.parseInt(hostAndPort[1]) : 5432;
    }

    private String[] hostAndPort() {
        java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("^jdbc:postgresql://([^/]+)/").matcher(
                postgres.url());
        if (!matcher.find()) {
            throw new IllegalStateException("not a PostgreSQL JDBC URL with a host: " + postgres.url());
        }
        return matcher.group(1).split(":");
    }

    public String postgresUser() {
        return postgres.user();
    }

    public String postgresPassword() {
        return postgres.password();
    }

    public String rabbitHost() {
        return rabbit.host();
    }

    public int rabbitPort() {
        return rabbit.port();
    }

    public String rabbitUser() {
        return rabbit.user();
    }

    public String rabbitPassword() {
        return rabbit.password();
    }

    /** The encryption keys the apps get from {@link #springProperties()}, for tests that read the table directly. */
    public CryptoProperties cryptoProperties() {
        return new CryptoProperties("test", Map.of("test", encryptionKey));
    }

    /** Spring properties for the default namespace. */
    public Map<String, String> springProperties() {
        return springProperties(defaultNamespace);
    }

    /**
     * Spring properties that point an app at these services and this namespace: datasource, Flyway schema, RabbitMQ,
     * messaging prefix and the JVM's random encryption key.
     */
    public Map<String, String> springProperties(Namespace namespace) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("spring.datasource.url", jdbcUrl(namespace));
        properties.put("spring.datasource.username", postgres.user());
        properties.put("spring.datasource.password", postgres.password());
        properties.put("spring.datasource.hikari.maximum-pool-size", "5");
        properties.put("spring.flyway.schemas", namespace.schema());
        properties.put("spring.flyway.default-schema", namespace.schema());
        properties.put("spring.rabbitmq.host", rabbit.host());
        properties.put("spring.rabbitmq.port", String.valueOf(rabbit.port()));
        properties.put("spring.rabbitmq.username", rabbit.user());
        properties.put("spring.rabbitmq.password", rabbit.password());
        properties.put("refresher.messaging.prefix", namespace.messagingPrefix());
        properties.put("refresher.crypto.primary-key-id", "test");
        properties.put("refresher.crypto.keys.test", encryptionKey);
        return properties;
    }

    /** The same properties as command-line arguments, for apps started as processes. */
    public List<String> springArguments(Namespace namespace) {
        return springProperties(namespace).entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue())
                .toList();
    }

    /** Providers whose work queues tests declared, so that they are deleted at exit too. */
    public void deleteQueuesAtExit(Collection<String> providers) {
        providersUsed.addAll(providers);
    }

    /**
     * Drops a namespace's schema and deletes its queues and exchanges now, rather than at exit. Systems that start and
     * stop many times in one JVM call it when they stop: every namespace holds some 30 quorum queues, and a broker
     * keeps file handles for each (RabbitMQ 3.10 with the default limit of 1,024 stops accepting connections once a
     * few hundred pile up).
     */
    public void release(Namespace namespace) {
        if (keepState() || !created.remove(namespace)) {
            return;
        }
        delete(namespace);
    }

    private void cleanUp() {
        if (keepState()) {
            return;
        }
        created.forEach(this::delete);
    }

    private static boolean keepState() {
        return Boolean.parseBoolean(System.getenv().getOrDefault("REFRESHER_TEST_KEEP_STATE", "false"));
    }

    private void delete(Namespace namespace) {
        try {
            execute("DROP SCHEMA IF EXISTS " + namespace.schema() + " CASCADE");
        } catch (RuntimeException e) {
            System.err.println("could not drop test schema " + namespace.schema() + ": " + e.getMessage());
        }
        deleteMessaging(namespace);
    }

    private void deleteMessaging(Namespace namespace) {
        RefresherTopology topology = new RefresherTopology(new MessagingProperties(namespace.messagingPrefix(), null,
                null, null, null, null, null));
        var factory = new com.rabbitmq.client.ConnectionFactory();
        factory.setHost(rabbit.host());
        factory.setPort(rabbit.port());
        factory.setUsername(rabbit.user());
        factory.setPassword(rabbit.password());
        try (var connection = factory.newConnection("test-cleanup")) {
            for (String queue : topology.queueNames(providersUsed)) {
                try (var channel = connection.createChannel()) {
                    channel.queueDelete(queue);
                } catch (Exception notThere) {
                    // deleting what was never declared closes the channel; the next name gets a fresh one
                }
            }
            for (String exchange : topology.exchangeNames()) {
                try (var channel = connection.createChannel()) {
                    channel.exchangeDelete(exchange);
                } catch (Exception notThere) {
                    // as above
                }
            }
        } catch (Exception e) {
            System.err.println("could not delete test queues with prefix " + namespace.messagingPrefix() + ": " + e);
        }
    }

    private static boolean useDocker() {
        String forced = System.getenv("REFRESHER_TEST_DOCKER");
        if (forced != null) {
            return Boolean.parseBoolean(forced) && DockerClientFactory.instance().isDockerAvailable();
        }
        return DockerClientFactory.instance().isDockerAvailable();
    }

    private static Postgres postgres(boolean docker) {
        Optional<String> url = env("REFRESHER_TEST_POSTGRES_URL");
        if (url.isPresent()) {
            return new Postgres(url.get(), env("REFRESHER_TEST_POSTGRES_USER").orElse("postgres"),
                    env("REFRESHER_TEST_POSTGRES_PASSWORD").orElse(""));
        }
        if (docker) {
            PostgreSQLContainer container = new PostgreSQLContainer(POSTGRES_IMAGE);
            container.start();
            return new Postgres(container.getJdbcUrl(), container.getUsername(), container.getPassword());
        }
        return new Postgres("jdbc:postgresql://127.0.0.1:5432/test", "postgres", "");
    }

    private static Rabbit rabbit(boolean docker) {
        Optional<String> host = env("REFRESHER_TEST_RABBITMQ_HOST");
        if (host.isPresent()) {
            return new Rabbit(host.get(), Integer.parseInt(env("REFRESHER_TEST_RABBITMQ_PORT").orElse("5672")),
                    env("REFRESHER_TEST_RABBITMQ_USER").orElse("guest"),
                    env("REFRESHER_TEST_RABBITMQ_PASSWORD").orElse("guest"));
        }
        if (docker) {
            RabbitMQContainer container = new RabbitMQContainer(RABBITMQ_IMAGE);
            container.start();
            return new Rabbit(container.getHost(), container.getAmqpPort(), container.getAdminUsername(),
                    container.getAdminPassword());
        }
        return new Rabbit("127.0.0.1", 5672, "guest", "guest");
    }

    private void execute(String sql) {
        try (var connection = DriverManager.getConnection(postgres.url(), postgres.user(), postgres.password());
                var statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + postgres.url() + " is not usable: " + e.getMessage()
                    + " (start it, or set REFRESHER_TEST_POSTGRES_URL)", e);
        }
    }

    private static Optional<String> env(String name) {
        return Optional.ofNullable(System.getenv(name)).filter(value -> !value.isBlank());
    }

    private record Postgres(String url, String user, String password) {
    }

    private record Rabbit(String host, int port, String user, String password) {
    }

    @Override
    public String toString() {
        return "TestServices[postgres=" + postgres.url() + ", rabbit=" + rabbit.host() + ":" + rabbit.port()
                + ", run=" + RUN_ID + "]";
    }
}
