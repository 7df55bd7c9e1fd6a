package dev.tokenrefresher.cli;

import dev.tokenrefresher.common.messaging.TopologyNames;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * One installation's PostgreSQL schema, reached with JDBC directly (the apps may be stopped): what it holds, and
 * dropping it.
 */
final class InstallationSchema {

    /**
     * The tables the migrations (common's db/migration) and Flyway create. A schema holding any other table or view is
     * not dropped: it is not only the installation's. InstallationSchemaTest checks this list against the migrations.
     */
    static final Set<String> OWN_TABLES = Set.of("connection", "refresh_attempt", "dead_letter",
            "handoff_watermark", "key_rewrite_progress", "connect_session", "pending_dead_letter",
            "flyway_schema_history");

    /** A DROP waits this long for the tables' locks (an app still running holds them), then fails instead of hanging. */
    private static final String LOCK_TIMEOUT = "10s";

    private final DatabaseCoordinates database;
    private final String schema;

    InstallationSchema(DatabaseCoordinates database, String schema) {
        this.database = database;
        this.schema = schema;
    }

    String name() {
        return schema;
    }

    /**
     * What the schema holds.
     *
     * @param tables its tables and views, by name
     * @param foreign those of them that are not the installation's
     * @param providers the providers its connections belong to, whose work queues the installation has
     * @param connections how many connections it stores
     */
    record State(boolean exists, List<String> tables, List<String> foreign, Set<String> providers, long connections) {
    }

    State inspect() {
        try (Connection connection = database.connect()) {
            if (!exists(connection)) {
                return new State(false, List.of(), List.of(), Set.of(), 0);
            }
            List<String> tables = tables(connection);
            List<String> foreign = tables.stream().filter(table -> !OWN_TABLES.contains(table)).toList();
            boolean hasConnections = tables.contains("connection");
            return new State(true, tables, foreign, hasConnections ? providers(connection) : Set.of(), hasConnections
                    ? count(connection)
                    : 0);
        } catch (SQLException e) {
            throw database.failure("cannot read schema " + schema, e);
        }
    }

    void drop() {
        try (Connection connection = database.connect(); Statement statement = connection.createStatement()) {
            statement.execute("SET lock_timeout = '" + LOCK_TIMEOUT + "'");
            statement.execute("DROP SCHEMA " + quoted(schema) + " CASCADE");
        } catch (SQLException e) {
            throw database.failure("schema " + schema + " was not dropped", e);
        }
    }

    private boolean exists(Connection connection) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT 1 FROM pg_namespace WHERE nspname = ?")) {
            query.setString(1, schema);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next();
            }
        }
    }

    /** Tables, partitioned tables, views, materialized views and foreign tables: whatever holds or shows data. */
    private List<String> tables(Connection connection) throws SQLException {
        try (PreparedStatement query = connection
                .prepareStatement("SELECT c.relname FROM pg_class c JOIN pg_namespace n "
                        + "ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relkind IN ('r', 'p', 'v', 'm', 'f') "
                        + "ORDER BY c.relname")) {
            query.setString(1, schema);
            List<String> tables = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    tables.add(rows.getString(1));
                }
            }
            return tables;
        }
    }

    /**
     * The providers of the stored connections. Only names a provider can have: any other text would not be part of
     * one of this installation's queue names, and could match another installation's.
     */
    private Set<String> providers(Connection connection) throws SQLException {
        Set<String> providers = new TreeSet<>();
        try (Statement query = connection.createStatement();
                ResultSet rows = query.executeQuery("SELECT DISTINCT provider FROM " + quoted(schema)
                        + ".connection")) {
            while (rows.next()) {
                String provider = rows.getString(1);
                if (provider != null && TopologyNames.PROVIDER.matcher(provider).matches()) {
                    providers.add(provider);
                }
            }
        }
        return providers;
    }

    private long count(Connection connection) throws SQLException {
        try (Statement query = connection.createStatement();
                ResultSet rows = query.executeQuery("SELECT count(*) FROM " + quoted(schema) + ".connection")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    static String quoted(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    /**
     * Where the database is. The password is used to connect and appears nowhere else; the URL is shown without its
     * query, which may hold one.
     */
    record DatabaseCoordinates(String url, String user, String password) {

        Connection connect() throws SQLException {
            Properties properties = new Properties();
            if (user != null && !user.isBlank()) {
                properties.setProperty("user", user);
            }
            if (password != null && !password.isEmpty()) {
                properties.setProperty("password", password);
            }
            properties.setProperty("connectTimeout", "5");
            properties.setProperty("ApplicationName", "refresherctl");
            // The driver itself, not DriverManager: no service lookup through the executable jar's class loaders.
            Connection connection = new org.postgresql.Driver().connect(url, properties);
            if (connection == null) {
                throw new CliException(CliException.API_ERROR, "not a PostgreSQL JDBC URL: " + shownUrl()
                        + " (expected jdbc:postgresql://host:port/database)");
            }
            return connection;
        }

        /** The URL without its query (currentSchema, and perhaps a password). */
        String shownUrl() {
            int query = url.indexOf('?');
            return query < 0 ? url : url.substring(0, query);
        }

        CliException failure(String what, SQLException e) {
            // SQL state 08xxx: no connection (a refused login is 28xxx, an answer).
            boolean unreachable = e.getSQLState() != null && e.getSQLState().startsWith("08");
            return new CliException(unreachable ? CliException.UNREACHABLE : CliException.API_ERROR, what
                    + ": PostgreSQL at " + shownUrl() + " as user " + user + ": " + message(e));
        }

        /** The driver's messages name no password; masking it anyway costs nothing. */
        private String message(SQLException e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return password == null || password.isEmpty() ? message : message.replace(password, "****");
        }
    }
}
