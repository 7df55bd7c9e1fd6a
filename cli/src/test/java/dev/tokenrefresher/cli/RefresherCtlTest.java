package dev.tokenrefresher.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;

/** What the CLI does before and around the API: usage, errors, tables. The API itself is exercised in CliIT. */
class RefresherCtlTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine commandLine = RefresherCtl.commandLine();
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(err));
        return commandLine.execute(args);
    }

    @Test
    void anUnreachableSchedulerExitsWith3AndSaysWhereItLooked() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }

        int exit = run("--url", "http://127.0.0.1:" + port, "--api-key", "some-key", "dlq", "stats");

        assertThat(exit).isEqualTo(3);
        assertThat(err.toString()).contains("cannot connect to the scheduler at http://127.0.0.1:" + port);
    }

    @Test
    void aMissingApiKeyIsReportedBeforeAnyCall() {
        int exit = run("--url", "http://127.0.0.1:1", "--api-key", "", "connections", "list");

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).contains("no API key: set REFRESHER_API_KEY");
    }

    @Test
    void purgeWithoutAFilterIsRefusedBeforeAnyCall() {
        int exit = run("--url", "http://127.0.0.1:1", "--api-key", "k", "dlq", "purge");

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).contains("purge needs a filter");
    }

    @Test
    void aMalformedConnectionIdIsAUsageError() {
        assertThat(run("--api-key", "k", "connections", "show", "not-a-uuid")).isEqualTo(2);
        assertThat(err.toString()).contains("not-a-uuid");
    }

    @Test
    void dlqReplayTakesIdsAsParametersAsDlqShowDoesAndStillTakesTheIdsOption() throws IOException {
        try (StubScheduler scheduler = new StubScheduler("{\"replayed\":[],\"skipped\":[],\"notFound\":[]}")) {
            assertThat(run("--url", scheduler.url(), "--api-key", "k", "dlq", "replay", "1", "2")).as(err.toString())
                    .isZero();
            assertThat(run("--url", scheduler.url(), "--api-key", "k", "dlq", "replay", "3,4")).isZero();
            assertThat(run("--url", scheduler.url(), "--api-key", "k", "dlq", "replay", "--ids=5,6")).isZero();
            assertThat(run("--url", scheduler.url(), "--api-key", "k", "dlq", "replay", "--ids", "7")).isZero();

            assertThat(scheduler.requests()).extracting(request -> request.get("ids").toString()).containsExactly(
                    "[1,2]", "[3,4]", "[5,6]", "[7]");
        }
    }

    @Test
    void replayOfIdsThatNameNoDeadLetterPrintsThemAndExitsWith1() throws IOException {
        try (StubScheduler scheduler = new StubScheduler("""
                {"replayed":[{"deadLetterId":1,"connectionId":"5b0c","fence":2}],"skipped":[],"notFound":[98,99]}""")) {

            int exit = run("--url", scheduler.url(), "--api-key", "k", "dlq", "replay", "1", "98", "99");

            assertThat(exit).isEqualTo(1);
            assertThat(out.toString()).startsWith("replayed 1, skipped 0, not found 2");
            assertThat(err.toString()).contains("not found: no dead letter has id 98, 99");
        }
    }

    @Test
    void replayRefusesIdsTogetherWithAFilterOrAll() {
        assertThat(run("--url", "http://127.0.0.1:1", "--api-key", "k", "dlq", "replay", "1", "--reason",
                "invalid_client")).isEqualTo(2);
        assertThat(err.toString()).contains("replay takes ids, a filter or --all, not several");
        assertThat(run("--url", "http://127.0.0.1:1", "--api-key", "k", "dlq", "replay", "--ids=1", "--all"))
                .isEqualTo(2);
    }

    @Test
    void teardownRefusesAMissingOrBlankPrefixBeforeConnectingAnywhere() {
        assertThat(run("admin", "teardown", "--schema=s", "--database-url=jdbc:postgresql://127.0.0.1:1/x"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--prefix");
        assertThat(run("admin", "teardown", "--prefix=", "--schema=s")).isEqualTo(2);
        assertThat(err.toString()).contains("--prefix must name the installation's prefix; it is blank");
        assertThat(run("admin", "teardown", "--prefix=  ", "--schema=s")).isEqualTo(2);
        assertThat(run("admin", "teardown", "--prefix=demo/*", "--schema=s")).isEqualTo(2);
        assertThat(err.toString()).contains("was 'demo/*'");
    }

    @Test
    void teardownNeedsTheInstallationsOwnSchema() {
        assertThat(run("admin", "teardown", "--prefix=demo", "--database-url=jdbc:postgresql://127.0.0.1:1/x"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("name the installation's schema: --schema, or currentSchema");
        for (String shared : List.of("public", "pg_catalog", "information_schema")) {
            assertThat(run("admin", "teardown", "--prefix=demo", "--schema=" + shared)).isEqualTo(2);
            assertThat(err.toString()).contains("schema " + shared + " is not one installation's alone");
        }
    }

    @Test
    void theSchemaDefaultsToTheDatabaseUrlsCurrentSchema() {
        assertThat(TeardownCommand.currentSchema("jdbc:postgresql://h:5432/db?ssl=true&currentSchema=demo_1"))
                .hasValue("demo_1");
        assertThat(TeardownCommand.currentSchema("jdbc:postgresql://h:5432/db?currentSchema=a%2Cb")).hasValue("a,b");
        assertThat(TeardownCommand.currentSchema("jdbc:postgresql://h:5432/db")).isEmpty();
        assertThat(TeardownCommand.currentSchema("jdbc:postgresql://h:5432/db?xcurrentSchema=x")).isEmpty();
    }

    @Test
    void everyCommandHasHelp() {
        for (List<String> command : List.of(List.of("connections", "list"), List.of("dlq", "replay"), List.of(
                "token", "get"), List.of("admin", "teardown"))) {
            StringWriter help = new StringWriter();
            CommandLine commandLine = RefresherCtl.commandLine();
            commandLine.setOut(new PrintWriter(help));
            assertThat(commandLine.execute(command.get(0), command.get(1), "--help")).isZero();
            assertThat(help.toString()).contains("Usage: refresherctl " + command.get(0) + " " + command.get(1));
        }
    }

    @Test
    void aProblemDetailBecomesOneLinePerBadField() throws IOException {
        JsonNode problem = RefresherCtl.JSON.readTree("""
                {"status":400,"detail":"invalid fields: [expiresIn, tenantId]","errors":[
                 {"field":"expiresIn","message":"must be greater than 0"},
                 {"field":"tenantId","message":"must not be blank"}]}""");

        CliException failure = CliException.fromProblem(400, problem);

        assertThat(failure.exitCode()).isEqualTo(CliException.API_ERROR);
        assertThat(failure.getMessage().lines()).containsExactly("HTTP 400: invalid fields: [expiresIn, tenantId]",
                "  expiresIn: must be greater than 0", "  tenantId: must not be blank");
    }

    @Test
    void tablesAlignColumnsAndShowMissingValuesAsADash() throws IOException {
        JsonNode rows = RefresherCtl.JSON.readTree("""
                [{"id":1,"reason":"invalid_grant","detail":null},{"id":22,"reason":"malformed"}]""");

        new Table().column("ID", "/id").column("REASON", "/reason").column("DETAIL", "/detail").print(new PrintWriter(
                out), rows);

        assertThat(out.toString().lines()).containsExactly("ID  REASON         DETAIL", "1   invalid_grant  -",
                "22  malformed      -");
    }
}
