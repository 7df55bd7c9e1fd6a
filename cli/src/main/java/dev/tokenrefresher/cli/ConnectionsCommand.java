package dev.tokenrefresher.cli;

import static dev.tokenrefresher.cli.ApiClient.query;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

/** {@code refresherctl connections list|show|refresh|disconnect}. */
@Command(name = "connections", description = "List, show, refresh and disconnect connections (role admin).", mixinStandardHelpOptions = true)
final class ConnectionsCommand {

    @ParentCommand
    RefresherCtl root;

    @Spec
    CommandSpec spec;

    private static final Table TABLE = new Table()
            .column("ID", "/id")
            .column("TENANT", "/tenantId")
            .column("PROVIDER", "/provider")
            .column("STATUS", "/status")
            .column("ACCESS EXPIRES", "/accessExpiresAt")
            .column("NEXT REFRESH", "/nextRefreshAt")
            .column("FAILURES", "/consecutiveFailures")
            .column("LAST ERROR", "/lastError");

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List connections, in id order, a page at a time or --all.")
    int list(@Option(names = "--provider", description = "Only this provider's.") String provider,
            @Option(names = "--status", description = "ACTIVE, REAUTH_REQUIRED or DISCONNECTED.") String status,
            @Option(names = "--tenant", description = "Only this tenant's.") String tenant,
            @Option(names = "--reauth-due-within", description = "Only ACTIVE connections whose refresh token dies "
                    + "(its expiry or hard cap) within this ISO-8601 duration, e.g. P30D: the tenants to ask to "
                    + "reconnect.") String reauthDueWithin,
            @Option(names = "--limit", defaultValue = "100", description = "Page size (default ${DEFAULT-VALUE}).") int limit,
            @Option(names = "--after", description = "The cursor a previous page printed.") String after,
            @Option(names = "--all", description = "Follow the cursor to the last page.") boolean all) {
        PrintWriter out = spec.commandLine().getOut();
        List<JsonNode> items = new ArrayList<>();
        String cursor = after;
        JsonNode page;
        do {
            page = root.api().get("api/connections", query("provider", provider, "status", status, "tenantId",
                    tenant, "reauthDueWithin", reauthDueWithin, "limit", limit, "after", cursor));
            page.path("items").forEach(items::add);
            cursor = page.path("nextCursor").isString() ? page.get("nextCursor").asString() : null;
        } while (all && cursor != null);
        if (root.printedAsJson(out, all
                ? RefresherCtl.JSON.createObjectNode().set("items", RefresherCtl.JSON
                        .valueToTree(items))
                : page)) {
            return 0;
        }
        TABLE.print(out, items);
        if (!all && cursor != null) {
            out.println("more: --after " + cursor + " (or --all)");
        }
        out.flush();
        return 0;
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "One connection's state and its latest provider calls.")
    int show(@Parameters(paramLabel = "ID") UUID id) {
        PrintWriter out = spec.commandLine().getOut();
        JsonNode connection = root.api().get("api/connections/" + id, query());
        if (root.printedAsJson(out, connection)) {
            return 0;
        }
        for (String field : List.of("id", "tenantId", "provider", "status", "accessExpiresAt",
                "accessTokenLifetimeSeconds", "refreshExpiresAt", "refreshHardExpiresAt", "nextRefreshAt",
                "refreshFence",
                "consecutiveFailures", "lastError", "lastRefreshedAt", "createdAt",
                "updatedAt")) {
            out.printf("%-26s %s%n", field, Table.text(connection.path(field)));
        }
        out.println();
        out.println("recent provider calls:");
        new Table().column("AT", "/attemptedAt").column("OUTCOME", "/outcome").column("HTTP", "/httpStatus")
                .column("ERROR", "/errorCode").column("MS", "/durationMs").column("BY", "/worker")
                .print(out, connection.path("recentAttempts"));
        return 0;
    }

    @Command(name = "refresh", mixinStandardHelpOptions = true, description = "Refresh a connection now (through a worker).")
    int refresh(@Parameters(paramLabel = "ID") UUID id) {
        PrintWriter out = spec.commandLine().getOut();
        JsonNode answer = root.api().post("api/connections/" + id + "/refresh", RefresherCtl.JSON.createObjectNode());
        if (!root.printedAsJson(out, answer)) {
            out.println("connection " + id + ": " + answer.path("state").asString() + (answer.path("fence").isNumber()
                    ? " (fence " + answer.get("fence").asLong() + ")"
                    : ""));
            out.flush();
        }
        return 0;
    }

    @Command(name = "disconnect", mixinStandardHelpOptions = true, description = "Stop a connection's chain and erase its tokens.")
    int disconnect(@Parameters(paramLabel = "ID") UUID id,
            @Option(names = "--revoke", description = "Also revoke the refresh token at the provider.") boolean revoke) {
        PrintWriter out = spec.commandLine().getOut();
        JsonNode answer = root.api().delete("api/connections/" + id, query("revoke", revoke));
        if (!root.printedAsJson(out, answer)) {
            out.println("connection " + id + ": " + answer.at("/connection/status").asString() + ", revocation: "
                    + answer.path("revocation").asString() + (answer.path("revocationDetail").isString()
                            ? " (" + answer.get("revocationDetail").asString() + ")"
                            : ""));
            out.flush();
        }
        return 0;
    }
}
