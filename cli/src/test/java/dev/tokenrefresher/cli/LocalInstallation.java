package dev.tokenrefresher.cli;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.tokenrefresher.common.messaging.TopologyNames;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * An installation's queues, exchanges and schema as the apps leave them, made without the apps, in the local
 * PostgreSQL and RabbitMQ (or those of {@code REFRESHER_TEST_POSTGRES_URL}, {@code _USER}, {@code _PASSWORD} and
 * {@code REFRESHER_TEST_RABBITMQ_HOST}, {@code _PORT}, {@code _USER}, {@code _PASSWORD}, as the other modules' tests).
 * The schema is made by common's migrations themselves; the queues are classic ones, which is all teardown cares
 * about.
 */
final class LocalInstallation implements AutoCloseable {

    static final String POSTGRES_URL = env("REFRESHER_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    static final String POSTGRES_USER = env("REFRESHER_TEST_POSTGRES_USER", "postgres");
    static final String POSTGRES_PASSWORD = env("REFRESHER_TEST_POSTGRES_PASSWORD", "");
    static final String RABBIT_HOST = env("REFRESHER_TEST_RABBITMQ_HOST", "127.0.0.1");
    static final int RABBIT_PORT = Integer.parseInt(env("REFRESHER_TEST_RABBITMQ_PORT", "5672"));
    static final String RABBIT_USER = env("REFRESHER_TEST_RABBITMQ_USER", "guest");
    static final String RABBIT_PASSWORD = env("REFRESHER_TEST_RABBITMQ_PASSWORD", "guest");

    final TopologyNames names;
    final String schema;
    /** Providers with a work queue; the first one also has a stored connection. */
    final List<String> providers;

    private LocalInstallation(String prefix, String schema, List<String> providers) {
        this.names = new TopologyNames(prefix);
        this.schema = schema;
        this.providers = providers;
    }

    /** Declares the installation's queues and exchanges and migrates its schema, with one connection stored. */
    static LocalInstallation create(String prefix, String schema, List<String> providers) throws Exception {
        LocalInstallation installation = new LocalInstallation(prefix, schema, providers);
        installation.declareTopology();
        installation.migrateSchema();
        return installation;
    }

    /** The arguments that point {@code admin teardown} at this installation and these services. */
    List<String> teardownArguments() {
        return List.of("admin", "teardown", "--prefix=" + names.prefix(), "--schema=" + schema, "--database-url="
                + POSTGRES_URL, "--database-user=" + POSTGRES_USER, "--database-password=" + POSTGRES_PASSWORD,
                "--rabbitmq-host=" + RABBIT_HOST, "--rabbitmq-port=" + RABBIT_PORT, "--rabbitmq-user=" + RABBIT_USER,
                "--rabbitmq-password=" + RABBIT_PASSWORD);
    }

    List<String> queues() {
        return names.queueNames(providers);
    }

    List<String> exchanges() {
        return names.exchangeNames();
    }

    static Connection rabbit() throws IOException, TimeoutException {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(RABBIT_HOST);
        factory.setPort(RABBIT_PORT);
        factory.setUsername(RABBIT_USER);
        factory.setPassword(RABBIT_PASSWORD);
        return factory.newConnection("cli-test");
    }

    static java.sql.Connection postgres() throws SQLException {
        return DriverManager.getConnection(POSTGRES_URL, POSTGRES_USER, POSTGRES_PASSWORD);
    }

    /** The names among these that exist on the broker, asked one by one as AMQP allows. */
    static List<String> existing(List<String> names, boolean queues) throws IOException, TimeoutException {
        List<String> existing = new ArrayList<>();
        try (Connection connection = rabbit()) {
            for (String name : names) {
                Channel channel = connection.createChannel();
                try {
                    if (queues) {
                        channel.queueDeclarePassive(name);
                    } else {
                        channel.exchangeDeclarePassive(name);
                    }
                    existing.add(name);
                    channel.close();
                } catch (IOException notThere) {
                    // 404 closed the channel
                }
            }
        }
        return existing;
    }

    boolean schemaExists() throws SQLException {
        try (var connection = postgres();
                var query = connection.prepareStatement("SELECT 1 FROM pg_namespace WHERE nspname = ?")) {
            query.setString(1, schema);
            try (var rows = query.executeQuery()) {
                return rows.next();
            }
        }
    }

    void execute(String sql) throws SQLException {
        try (var connection = postgres(); Statement statement = connection.createStatement()) {
            statement.execute("SET search_path TO " + InstallationSchema.quoted(schema));
            statement.execute(sql);
        }
    }

    private void declareTopology() throws IOException, TimeoutException {
        try (Connection connection = rabbit(); Channel channel = connection.createChannel()) {
            for (String exchange : exchanges()) {
                channel.exchangeDeclare(exchange, "topic", true);
            }
            for (String queue : queues()) {
                channel.queueDeclare(queue, true, false, false, null);
            }
            // a message in the dead-letter queue: teardown removes queues whatever they hold
            channel.basicPublish("", names.deadLetterQueue(), null, "{}".getBytes(StandardCharsets.UTF_8));
        }
    }

    private void migrateSchema() throws Exception {
        try (var connection = postgres(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE SCHEMA " + InstallationSchema.quoted(schema));
        }
        for (String migration : migrations()) {
            execute(migration);
        }
        execute("CREATE TABLE flyway_schema_history (installed_rank int PRIMARY KEY, version varchar(50))");
        execute("INSERT INTO connection (id, tenant_id, provider, status, access_token_enc, refresh_token_enc, "
                + "access_expires_at, created_at, updated_at) VALUES (gen_random_uuid(), 'tenant', '"
                + providers.getFirst() + "', 'ACTIVE', '\\x00', '\\x00', now(), now(), now())");
    }

    /** common's migrations, V1 first, as Flyway runs them; read from common's jar (or its classes directory). */
    static List<String> migrations() throws IOException, URISyntaxException {
        URI directory = LocalInstallation.class.getClassLoader().getResource("db/migration").toURI();
        if (directory.getScheme().equals("jar")) {
            try (FileSystem jar = FileSystems.newFileSystem(directory, Map.of())) {
                return read(jar.provider().getPath(directory));
            }
        }
        return read(Path.of(directory));
    }

    private static List<String> read(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            List<Path> sorted = files.filter(file -> file.getFileName().toString().matches("V\\d+__.*\\.sql"))
                    .sorted(Comparator.comparingInt(file -> Integer.parseInt(file.getFileName().toString()
                            .substring(1, file.getFileName().toString().indexOf("__")))))
                    .toList();
            List<String> sql = new ArrayList<>();
            for (Path file : sorted) {
                sql.add(Files.readString(file));
            }
            return sql;
        }
    }

    /** Removes what teardown left, whatever a test did. */
    @Override
    public void close() throws Exception {
        try (Connection connection = rabbit(); Channel channel = connection.createChannel()) {
            // RabbitMQ answers delete-ok for a queue or exchange that does not exist
            for (String queue : queues()) {
                channel.queueDelete(queue);
            }
            for (String exchange : exchanges()) {
                channel.exchangeDelete(exchange);
            }
        }
        try (var connection = postgres(); Statement statement = connection.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS " + InstallationSchema.quoted(schema) + " CASCADE");
        }
    }

    private static String env(String name, String otherwise) {
        return Optional.ofNullable(System.getenv(name)).filter(value -> !value.isBlank()).orElse(otherwise);
    }
}
