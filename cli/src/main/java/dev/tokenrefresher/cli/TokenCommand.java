package dev.tokenrefresher.cli;

import static dev.tokenrefresher.cli.ApiClient.query;

import java.io.PrintWriter;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

/** {@code refresherctl token get}: what a host app gets, for checking a connection by hand (role token-reader). */
@Command(name = "token", description = "Read a fresh access token (role token-reader).", mixinStandardHelpOptions = true)
final class TokenCommand {

    @ParentCommand
    RefresherCtl root;

    @Spec
    CommandSpec spec;

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Print an access token valid for at least --min-validity seconds, "
            + "refreshing it first if need be. Only the token is printed (pipe it), unless --json.")
    int get(@Parameters(paramLabel = "CONNECTION_ID") UUID id,
            @Option(names = "--min-validity", description = "Seconds the token must stay valid (default: the "
                    + "scheduler's, 5 minutes).") Long minValiditySeconds) {
        PrintWriter out = spec.commandLine().getOut();
        JsonNode token = root.api().get("api/connections/" + id + "/access-token", query("minValiditySeconds",
                minValiditySeconds));
        if (!root.printedAsJson(out, token)) {
            out.println(token.path("accessToken").asString());
            spec.commandLine().getErr().println("expires at " + token.path("expiresAt").asString()
                    + (token.path("refreshed").asBoolean() ? " (refreshed just now)" : ""));
            spec.commandLine().getErr().flush();
            out.flush();
        }
        return 0;
    }
}
