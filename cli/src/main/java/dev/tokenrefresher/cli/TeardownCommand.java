package dev.tokenrefresher.cli;

import dev.tokenrefresher.cli.InstallationBroker.BrokerCoordinates;
import dev.tokenrefresher.cli.InstallationBroker.Found;
import dev.tokenrefresher.cli.InstallationSchema.DatabaseCoordinates;
import dev.tokenrefresher.common.messaging.TopologyNames;
import java.io.PrintWriter;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code refresherctl admin teardown}: removes one installation's queues, exchanges and schema, for test and demo
 * installations sharing a broker and a database. Without {@code --confirm} it only says what it would remove.
 *
 * <p>What belongs to the installation: the exact queue and exchange names {@link TopologyNames} derives from the
 * prefix (the work queues for the providers of the schema's connections and of {@code --provider}), never names
 * matching a pattern; and the schema, only while it holds nothing but the installation's tables. Nothing is removed
 * while a queue has consumers (an app is running: it would declare everything again) or the schema holds other
 * tables.
 */
@Command(name = "teardown", mixinStandardHelpOptions = true, description = {
        "Remove one installation's queues, exchanges and PostgreSQL schema (test and demo installations sharing a "
                + "broker). Talks to RabbitMQ and PostgreSQL directly: stop the installation's apps first.",
        "Without --confirm it removes nothing and prints what it would remove."})
final class TeardownCommand implements Callable<Integer> {

    /** Schemas that are never one installation's alone. */
    private static final Set<String> SHARED_SCHEMAS = Set.of("public", "information_schema");

    @ParentCommand
    AdminCommand admin;

    @Spec
    CommandSpec spec;

    @Option(names = "--prefix", required = true, paramLabel = "PREFIX", description = "The installation's refresher.messaging.prefix. "
            + "Exactly the names derived from it are removed: --prefix=demo removes demo.dead, never demo-2.dead "
            + "nor demo.x.dead.")
    String prefix;

    @Option(names = "--schema", paramLabel = "SCHEMA", description = "The installation's PostgreSQL schema (default: currentSchema of the "
            + "database URL). The schema public is refused.")
    String schema;

    @Option(names = "--provider", split = ",", paramLabel = "NAME", description = "Also remove these providers' "
            + "work queues (the providers of the schema's connections are found by themselves; name a provider "
            + "configured but never used).")
    List<String> providers = new ArrayList<>();

    @Option(names = "--confirm", description = "Remove. Without it, nothing is removed.")
    boolean confirm;

    @Option(names = "--database-url", paramLabel = "JDBC_URL", defaultValue = "${env:DATABASE_URL:-jdbc:postgresql://127.0.0.1:5432/tokenrefresher}", description = "JDBC URL (default: DATABASE_URL, as the apps, else "
            + "jdbc:postgresql://127.0.0.1:5432/tokenrefresher).")
    String databaseUrl;

    @Option(names = "--database-user", paramLabel = "USER", defaultValue = "${env:DATABASE_USER:-postgres}", description = "Default: "
            + "DATABASE_USER, else postgres.")
    String databaseUser;

    @Option(names = "--database-password", paramLabel = "PASSWORD", defaultValue = "${env:DATABASE_PASSWORD:-}", description = "Default: "
            + "DATABASE_PASSWORD (prefer it: an option shows in the process list).")
    String databasePassword;

    @Option(names = "--rabbitmq-addresses", paramLabel = "HOST:PORT,...", defaultValue = "${env:RABBITMQ_ADDRESSES:-}", description = "A cluster's nodes, tried in order; when given, --rabbitmq-host and --rabbitmq-port are not used. Default: "
            + "RABBITMQ_ADDRESSES, else none.")
    String rabbitAddresses;

    @Option(names = "--rabbitmq-host", paramLabel = "HOST", defaultValue = "${env:RABBITMQ_HOST:-127.0.0.1}", description = "Default: "
            + "RABBITMQ_HOST, else 127.0.0.1.")
    String rabbitHost;

    @Option(names = "--rabbitmq-port", paramLabel = "PORT", defaultValue = "${env:RABBITMQ_PORT:-5672}", description = "Default: "
            + "RABBITMQ_PORT, else 5672.")
    int rabbitPort;

    @Option(names = "--rabbitmq-user", paramLabel = "USER", defaultValue = "${env:RABBITMQ_USER:-guest}", description = "Default: "
            + "RABBITMQ_USER, else guest.")
    String rabbitUser;

    @Option(names = "--rabbitmq-password", paramLabel = "PASSWORD", defaultValue = "${env:RABBITMQ_PASSWORD:-guest}", description = "Default: "
            + "RABBITMQ_PASSWORD (prefer it: an option shows in the process list), else guest.")
    String rabbitPassword;

    @Option(names = "--rabbitmq-vhost", paramLabel = "VHOST", defaultValue = "${env:RABBITMQ_VHOST:-/}", description = "Default: "
            + "RABBITMQ_VHOST, else /.")
    String rabbitVirtualHost;

    @Override
    public Integer call() {
        TopologyNames names = names();
        String schemaName = schemaName();
        Set<String> givenProviders = givenProviders();
        DatabaseCoordinates database = new DatabaseCoordinates(databaseUrl, databaseUser, databasePassword);
        BrokerCoordinates brokerAt = new BrokerCoordinates(rabbitAddresses.isBlank()
                ? rabbitHost + ":" + rabbitPort
                : rabbitAddresses, rabbitUser, rabbitPassword, rabbitVirtualHost);
        InstallationSchema installationSchema = new InstallationSchema(database, schemaName);
        InstallationSchema.State stored = installationSchema.inspect();
        if (!stored.foreign().isEmpty()) {
            throw new CliException(CliException.API_ERROR, "schema " + schemaName + " also holds " + stored.foreign()
                    + ", which are not token-refresher's: nothing removed (is it the installation's schema?)");
        }
        Set<String> providers = new TreeSet<>(stored.providers());
        providers.addAll(givenProviders);
        PrintWriter out = spec.commandLine().getOut();
        if (!root().json) {
            out.println("installation: prefix " + names.prefix() + ", schema " + schemaName + ", providers "
                    + (providers.isEmpty() ? "none" : String.join(", ", providers))
                    + " (from the schema's connections and --provider; each has a work queue)");
            out.println("PostgreSQL at " + database.shownUrl() + " as user " + databaseUser + "; " + brokerAt
                    .shown());
        }
        TeardownReport report = new TeardownReport(names.prefix(), schemaName, providers, confirm);
        try (InstallationBroker broker = InstallationBroker.connect(brokerAt)) {
            List<Found> found = Stream.concat(names.queueNames(providers).stream().map(broker::queue), names
                    .exchangeNames().stream().map(broker::exchange)).toList();
            List<String> consumed = found.stream().filter(f -> f.consumers() > 0).map(f -> "queue " + f.name()
                    + " has " + f.consumers() + " consumer(s)").toList();
            if (!confirm || !consumed.isEmpty()) {
                found.forEach(f -> report.add(f, f.exists() ? TeardownReport.WOULD_REMOVE : TeardownReport.NOT_THERE));
                report.addSchema(schemaName, stored, stored.exists()
                        ? TeardownReport.WOULD_REMOVE
                        : TeardownReport.NOT_THERE);
                report.print(out, root());
                if (!consumed.isEmpty()) {
                    throw new CliException(CliException.API_ERROR, "nothing removed: " + consumed + "; the "
                            + "installation's apps are running (they would declare everything again): stop them "
                            + "first");
                }
                if (!root().json) {
                    out.println("dry run: nothing removed; --confirm removes what is marked would_remove");
                }
                return 0;
            }
            remove(found, broker, installationSchema, stored, report);
        }
        return 0;
    }

    /** Queues, exchanges, then the schema; a failure stops there, and the report shows what was done before it. */
    private void remove(List<Found> found, InstallationBroker broker, InstallationSchema installationSchema,
            InstallationSchema.State stored, TeardownReport report) {
        PrintWriter out = spec.commandLine().getOut();
        try {
            for (Found f : found) {
                if (f.exists()) {
                    broker.delete(f);
                }
                report.add(f, f.exists() ? TeardownReport.REMOVED : TeardownReport.NOT_THERE);
            }
            if (stored.exists()) {
                installationSchema.drop();
            }
            report.addSchema(installationSchema.name(), stored,
                    stored.exists() ? TeardownReport.REMOVED : TeardownReport.NOT_THERE);
        } catch (CliException failure) {
            report.print(out, root());
            throw new CliException(failure.exitCode(), failure.getMessage() + "; what is listed was done, nothing "
                    + "after it (run the command again once the cause is fixed)");
        }
        report.print(out, root());
        if (!root().json) {
            out.println("removed " + report.count(TeardownReport.REMOVED) + ", not there " + report.count(
                    TeardownReport.NOT_THERE));
            out.flush();
        }
    }

    private RefresherCtl root() {
        return admin.root;
    }

    private TopologyNames names() {
        if (prefix == null || prefix.isBlank()) {
            throw new ParameterException(spec.commandLine(), "--prefix must name the installation's prefix; it is "
                    + "blank");
        }
        try {
            return new TopologyNames(prefix);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--prefix: " + e.getMessage());
        }
    }

    private String schemaName() {
        String name = Optional.ofNullable(schema).or(() -> currentSchema(databaseUrl)).orElseThrow(
                () -> new ParameterException(spec.commandLine(), "name the installation's schema: --schema, or "
                        + "currentSchema in the database URL"));
        if (name.isBlank() || name.contains(",")) {
            throw new ParameterException(spec.commandLine(), "the schema must be one name, was '" + name + "'");
        }
        if (SHARED_SCHEMAS.contains(name) || name.startsWith("pg_")) {
            throw new ParameterException(spec.commandLine(), "schema " + name + " is not one installation's alone: "
                    + "teardown drops an installation's own schema only");
        }
        return name;
    }

    /** The {@code currentSchema} parameter of a JDBC URL, as the apps' connections use it. */
    static Optional<String> currentSchema(String jdbcUrl) {
        int query = jdbcUrl.indexOf('?');
        if (query < 0) {
            return Optional.empty();
        }
        for (String parameter : jdbcUrl.substring(query + 1).split("&")) {
            int equals = parameter.indexOf('=');
            if (equals > 0 && parameter.substring(0, equals).equals("currentSchema")) {
                return Optional.of(URLDecoder.decode(parameter.substring(equals + 1), StandardCharsets.UTF_8));
            }
        }
        return Optional.empty();
    }

    private Set<String> givenProviders() {
        Set<String> given = new TreeSet<>();
        for (String provider : providers) {
            if (!TopologyNames.PROVIDER.matcher(provider).matches()) {
                throw new ParameterException(spec.commandLine(), "--provider " + provider + " is no provider name "
                        + "(lowercase letters, digits and dashes)");
            }
            given.add(provider);
        }
        return given;
    }
}
