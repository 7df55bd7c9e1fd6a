package dev.tokenrefresher.cli;

import java.io.PrintWriter;
import java.net.URI;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code refresherctl}: the operator's command line for a running token-refresher, through the scheduler's API
 * ({@code admin} alone talks to the broker and the database directly). Tables for people, {@code --json} for scripts.
 * Commands that act on given ids take them as parameters ({@code dlq replay 12 13}). The API key comes from
 * {@code REFRESHER_API_KEY} (or {@code --api-key}, which other users of the machine can see in the process list).
 */
@Command(name = "refresherctl", mixinStandardHelpOptions = true, version = "refresherctl 0.1.0", description = "Inspect and operate a running token-refresher through its scheduler's API.", subcommands = {
        ConnectionsCommand.class, DeadLettersCommand.class, TokenCommand.class, KeysCommand.class,
        AdminCommand.class,
        CommandLine.HelpCommand.class}, footer = {"",
                "Environment: REFRESHER_URL (default http://127.0.0.1:8080), REFRESHER_API_KEY; admin teardown reads "
                        + "the apps' DATABASE_* and RABBITMQ_* variables.",
                "Exit codes: 0 done, 1 refused or failed (an API error, an id that names nothing, a teardown "
                        + "refused), 2 bad usage, 3 scheduler, broker or database unreachable."})
public final class RefresherCtl {

    static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    @Option(names = {"-u",
            "--url"}, scope = ScopeType.INHERIT, defaultValue = "${env:REFRESHER_URL:-http://127.0.0.1:8080}", description = "The scheduler's base URL (default: REFRESHER_URL or ${DEFAULT-VALUE}).")
    URI url;

    @Option(names = {"-k",
            "--api-key"}, scope = ScopeType.INHERIT, defaultValue = "${env:REFRESHER_API_KEY}", description = "API key (default: REFRESHER_API_KEY). Admin role for connections and dlq, token-reader for "
                    + "token get.")
    String apiKey;

    @Option(names = "--json", scope = ScopeType.INHERIT, description = "Print the API's JSON answer as it is.")
    boolean json;

    ApiClient api() {
        if (apiKey == null || apiKey.isBlank()) {
            throw new CliException(CliException.API_ERROR, "no API key: set REFRESHER_API_KEY (or --api-key)");
        }
        return new ApiClient(JSON, url.toString().endsWith("/") ? url : URI.create(url + "/"), apiKey);
    }

    /** Prints the JSON as it is when {@code --json} is set; otherwise lets the caller print it for people. */
    boolean printedAsJson(PrintWriter out, JsonNode answer) {
        if (!json) {
            return false;
        }
        try {
            out.println(JSON.writeValueAsString(answer));
        } catch (tools.jackson.core.JacksonException e) {
            throw new IllegalStateException(e);
        }
        out.flush();
        return true;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new RefresherCtl());
        commandLine.setExecutionExceptionHandler((e, line, parsed) -> {
            if (e instanceof CliException failure) {
                line.getErr().println("refresherctl: " + failure.getMessage());
                line.getErr().flush();
                return failure.exitCode();
            }
            throw e;
        });
        return commandLine;
    }
}
