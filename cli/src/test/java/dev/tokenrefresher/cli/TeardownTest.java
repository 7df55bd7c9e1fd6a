package dev.tokenrefresher.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code admin teardown} against the real PostgreSQL and RabbitMQ: installations made as the apps leave them, one torn
 * down beside others whose prefixes begin alike. Runs without Spring on the class path, as the packaged CLI does.
 */
class TeardownTest {

    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final List<LocalInstallation> installations = new ArrayList<>();
    private LocalInstallation torn;
    /** Prefixes that begin with the torn-down one's: a pattern would take them too. */
    private LocalInstallation dashed;
    private LocalInstallation dotted;

    @BeforeEach
    void installations() throws Exception {
        String id = RUN + "-" + UUID.randomUUID().toString().substring(0, 4);
        torn = install("tr-cli-" + id, "tr_cli_" + id.replace('-', '_'), List.of("sbx", "acme"));
        dashed = install("tr-cli-" + id + "-other", "tr_cli_" + id.replace('-', '_') + "_other", List.of("sbx"));
        dotted = install("tr-cli-" + id + ".refresh", "tr_cli_" + id.replace('-', '_') + "_dotted", List.of(
                "sbx"));
    }

    @AfterEach
    void removeWhatIsLeft() throws Exception {
        for (LocalInstallation installation : installations) {
            installation.close();
        }
    }

    @Test
    void teardownRemovesOnlyTheGivenPrefixesQueuesExchangesAndSchema() throws Exception {
        // sbx is found through the schema's connection; acme has no connection and is named
        int exit = run(torn, "--provider=acme", "--confirm");

        assertThat(exit).as(err.toString()).isZero();
        assertThat(LocalInstallation.existing(torn.queues(), true)).isEmpty();
        assertThat(LocalInstallation.existing(torn.exchanges(), false)).isEmpty();
        assertThat(torn.schemaExists()).isFalse();
        for (LocalInstallation other : List.of(dashed, dotted)) {
            assertThat(LocalInstallation.existing(other.queues(), true)).containsExactlyElementsOf(other.queues());
            assertThat(LocalInstallation.existing(other.exchanges(), false)).containsExactlyElementsOf(other
                    .exchanges());
            assertThat(other.schemaExists()).isTrue();
        }
        assertThat(row(torn.names.workQueue("acme"))).containsExactly("removed", "queue", torn.names.workQueue(
                "acme"), "0", "message(s)");
        assertThat(row(torn.schema)).containsExactly("removed", "schema", torn.schema,
                String.valueOf(InstallationSchema.OWN_TABLES.size()), "table(s),", "1",
                "connection(s)");
        assertThat(out.toString()).contains("removed " + (torn.queues().size() + torn.exchanges().size() + 1)
                + ", not there 0");
    }

    @Test
    void teardownWithoutConfirmRemovesNothingAndListsWhatItWouldRemove() throws Exception {
        int exit = run(torn, "--provider=acme");

        assertThat(exit).as(err.toString()).isZero();
        assertEverythingOfEachInstallationRemains();
        assertThat(row(torn.names.deadLetterQueue())).containsExactly("would_remove", "queue", torn.names
                .deadLetterQueue(), "1", "message(s)");
        assertThat(row(torn.names.eventsExchange())).containsExactly("would_remove", "exchange", torn.names
                .eventsExchange(), "-");
        assertThat(row(torn.schema)).startsWith("would_remove", "schema", torn.schema);
        assertThat(out.toString()).contains("dry run: nothing removed");
    }

    @Test
    void teardownReportsWhatDidNotExistAndRemovesTheRest() throws Exception {
        try (Connection connection = LocalInstallation.rabbit(); Channel channel = connection.createChannel()) {
            channel.queueDelete(torn.names.parkedQueue());
        }

        int exit = run(torn, "--provider=acme,gone", "--confirm");

        assertThat(exit).as(err.toString()).isZero();
        assertThat(row(torn.names.parkedQueue())).containsExactly("not_there", "queue", torn.names.parkedQueue(),
                "-");
        assertThat(row(torn.names.workQueue("gone"))).containsExactly("not_there", "queue", torn.names.workQueue(
                "gone"), "-");
        assertThat(row(torn.names.deadLetterQueue())).startsWith("removed");
        assertThat(LocalInstallation.existing(torn.queues(), true)).isEmpty();
        assertThat(torn.schemaExists()).isFalse();
    }

    @Test
    void teardownRemovesNothingWhileAnAppConsumesFromAQueue() throws Exception {
        try (Connection connection = LocalInstallation.rabbit(); Channel channel = connection.createChannel()) {
            channel.basicConsume(torn.names.workQueue("sbx"), false, (tag, delivery) -> {
            }, tag -> {
            });

            int exit = run(torn, "--confirm");

            assertThat(exit).isEqualTo(CliException.API_ERROR);
            assertThat(err.toString()).contains("nothing removed: [queue " + torn.names.workQueue("sbx")
                    + " has 1 consumer(s)]", "stop them first");
            assertEverythingOfEachInstallationRemains();
        }
    }

    @Test
    void teardownRemovesNothingWhenTheSchemaHoldsTablesThatAreNotTheInstallations() throws Exception {
        torn.execute("CREATE TABLE invoices (id int)");

        int exit = run(torn, "--confirm");

        assertThat(exit).isEqualTo(CliException.API_ERROR);
        assertThat(err.toString()).contains("schema " + torn.schema + " also holds [invoices]", "nothing removed");
        assertEverythingOfEachInstallationRemains();
    }

    @Test
    void anUnreachableBrokerOrDatabaseExitsWith3NamingWhichAndNoPassword() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }

        int noBroker = run(torn, "--rabbitmq-port=" + closedPort, "--rabbitmq-password=broker-secret-1", "--confirm");
        String brokerError = err.toString();
        err.getBuffer().setLength(0);
        int noDatabase = run(torn, "--database-url=jdbc:postgresql://127.0.0.1:" + closedPort
                + "/test?password=db-secret-2", "--database-password=db-secret-3", "--confirm");

        assertThat(noBroker).isEqualTo(CliException.UNREACHABLE);
        assertThat(brokerError).contains("cannot connect to RabbitMQ at 127.0.0.1:" + closedPort);
        assertThat(noDatabase).isEqualTo(CliException.UNREACHABLE);
        assertThat(err.toString()).contains("PostgreSQL at jdbc:postgresql://127.0.0.1:" + closedPort + "/test ");
        assertThat(brokerError + err + out).doesNotContain("secret");
        assertEverythingOfEachInstallationRemains();
    }

    @Test
    void aClustersAddressListIsTriedInOrderPastANodeThatIsDown() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }

        int exit = run(torn, "--rabbitmq-addresses=127.0.0.1:" + closedPort + "," + LocalInstallation.RABBIT_HOST
                + ":" + LocalInstallation.RABBIT_PORT, "--provider=acme", "--confirm");

        assertThat(exit).as(err.toString()).isZero();
        assertThat(LocalInstallation.existing(torn.queues(), true)).isEmpty();
        assertThat(torn.schemaExists()).isFalse();
    }

    @Test
    void theSchemasOwnTablesAreExactlyTheTablesTheMigrationsCreate() throws Exception {
        Set<String> created = new TreeSet<>(Set.of("flyway_schema_history"));
        Matcher table = Pattern.compile("(?i)CREATE TABLE (?:IF NOT EXISTS )?(\\w+)").matcher(String.join("\n",
                LocalInstallation.migrations()));
        while (table.find()) {
            created.add(table.group(1).toLowerCase());
        }

        assertThat(InstallationSchema.OWN_TABLES).containsExactlyInAnyOrderElementsOf(created);
    }

    @Test
    void theCliRunsWithoutSpringsMessagingOrDataAccessClasses() {
        // The packaged CLI has none of them; were common's stack on this class path, these tests would not show that
        // teardown works without it.
        for (String springClass : List.of("org.springframework.amqp.core.Queue",
                "org.springframework.jdbc.core.JdbcTemplate", "org.flywaydb.core.Flyway")) {
            assertThat(classPresent(springClass)).as(springClass).isFalse();
        }
    }

    private void assertEverythingOfEachInstallationRemains() throws Exception {
        for (LocalInstallation installation : List.of(torn, dashed, dotted)) {
            assertThat(LocalInstallation.existing(installation.queues(), true)).containsExactlyElementsOf(installation
                    .queues());
            assertThat(LocalInstallation.existing(installation.exchanges(), false)).containsExactlyElementsOf(
                    installation.exchanges());
            assertThat(installation.schemaExists()).isTrue();
        }
    }

    /** The report's line for this name, split at its blanks. */
    private List<String> row(String name) {
        return out.toString().lines().map(line -> List.of(line.split("\\s+"))).filter(cells -> cells.size() > 2
                && cells.get(2).equals(name)).findFirst().orElseThrow(() -> new AssertionError(name
                        + " is not in the report:\n" + out));
    }

    private LocalInstallation install(String prefix, String schema, List<String> providers) throws Exception {
        LocalInstallation installation = LocalInstallation.create(prefix, schema, providers);
        installations.add(installation);
        return installation;
    }

    private int run(LocalInstallation installation, String... more) {
        CommandLine commandLine = RefresherCtl.commandLine();
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(err));
        // an option given in more replaces the installation's (picocli refuses a single-value option twice)
        Set<String> replaced = Stream.of(more).map(TeardownTest::optionName).collect(Collectors.toSet());
        return commandLine.execute(Stream.concat(installation.teardownArguments().stream().filter(
                argument -> !replaced.contains(optionName(argument))), Stream.of(more)).toArray(String[]::new));
    }

    private static String optionName(String argument) {
        return argument.contains("=") ? argument.substring(0, argument.indexOf('=')) : argument;
    }

    private static boolean classPresent(String name) {
        try {
            Class.forName(name, false, TeardownTest.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
