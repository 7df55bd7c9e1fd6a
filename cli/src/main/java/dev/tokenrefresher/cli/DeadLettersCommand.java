package dev.tokenrefresher.cli;

import static dev.tokenrefresher.cli.ApiClient.query;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code refresherctl dlq list|show|stats|replay|purge}: the dead-letter archive, never consumed by reading. */
@Command(name = "dlq", description = "Inspect, replay and purge dead letters (role admin).", mixinStandardHelpOptions = true)
final class DeadLettersCommand {

    @ParentCommand
    RefresherCtl root;

    @Spec
    CommandSpec spec;

    /** Which dead letters: every filter is optional, together they narrow. */
    static final class Filter {
        @Option(names = "--reason", description = "e.g. invalid_grant, invalid_client, malformed.")
        String reason;
        @Option(names = "--provider", description = "Only this provider's.")
        String provider;
        @Option(names = "--connection", description = "A connection id.")
        UUID connectionId;
        @Option(names = "--since", description = "Received at or after this instant, e.g. 2026-11-28T10:00:00Z.")
        String since;

        Map<String, Object> query() {
            return ApiClient.query("reason", reason, "provider", provider, "connectionId", connectionId, "since",
                    since);
        }

        boolean isEmpty() {
            return reason == null && provider == null && connectionId == null && since == null;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List dead letters, oldest first.")
    int list(@ArgGroup(exclusive = false) Filter filter,
            @Option(names = "--pending", description = "Leave out the ones replayed or resolved already.") boolean pending,
            @Option(names = "--limit", defaultValue = "100", description = "At most this many (default ${DEFAULT-VALUE}).") int limit,
            @Option(names = "--after", defaultValue = "0", description = "Only ids above this (the cursor).") long after) {
        PrintWriter out = spec.commandLine().getOut();
        Map<String, Object> query = new java.util.LinkedHashMap<>(filter == null ? query() : filter.query());
        query.putAll(query("includeReplayed", !pending, "limit", limit, "after", after));
        JsonNode page = root.api().get("api/dead-letters", query);
        if (root.printedAsJson(out, page)) {
            return 0;
        }
        new Table().column("ID", "/id").column("RECEIVED", "/receivedAt").column("REASON", "/reason")
                .column("PROVIDER", "/provider").column("CONNECTION", "/connectionId").column("ATTEMPTS", "/attempts")
                .column("HTTP", "/httpStatus").column("REPLAYED", "/replayedAt").column("RESOLVED", "/resolvedAt")
                .column("DETAIL", "/detail")
                .print(out, page.path("items"));
        if (page.path("nextAfter").isNumber()) {
            out.println("more: --after " + page.get("nextAfter").asLong());
        }
        out.flush();
        return 0;
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "One dead letter with the message it was made from.")
    int show(@Parameters(paramLabel = "ID") long id) {
        PrintWriter out = spec.commandLine().getOut();
        JsonNode letter = root.api().get("api/dead-letters/" + id, query());
        if (root.printedAsJson(out, letter)) {
            return 0;
        }
        letter.properties().forEach(field -> out.printf("%-16s %s%n", field.getKey(), Table.text(field.getValue())));
        out.flush();
        return 0;
    }

    @Command(name = "stats", mixinStandardHelpOptions = true, description = "Dead letters by reason.")
    int stats(@Option(names = "--include-replayed", description = "Count replayed ones too.") boolean includeReplayed) {
        PrintWriter out = spec.commandLine().getOut();
        JsonNode counts = root.api().get("api/dead-letters/stats", query("includeReplayed", includeReplayed));
        if (root.printedAsJson(out, counts)) {
            return 0;
        }
        List<JsonNode> rows = new ArrayList<>();
        counts.properties().forEach(entry -> rows.add(RefresherCtl.JSON.createObjectNode().put("reason", entry
                .getKey()).put("count", entry.getValue().asLong())));
        new Table().column("REASON", "/reason").column("COUNT", "/count").print(out, rows);
        return 0;
    }

    @Command(name = "replay", mixinStandardHelpOptions = true, description = "Restart the chains of dead letters (each is replayed once): by id "
            + "(dlq replay 12 13), by a filter, or --all. Ids that name no dead letter are listed and make the exit "
            + "code 1; the others are replayed all the same.")
    int replay(
            @Parameters(paramLabel = "ID", arity = "0..*", split = ",", description = "Dead-letter ids.") List<Long> ids,
            @Option(names = "--ids", split = ",", paramLabel = "ID", description = "The same ids as an option, "
                    + "comma-separated (the older form).") List<Long> idsOption,
            @ArgGroup(exclusive = false) Filter filter,
            @Option(names = "--all", description = "Every dead letter not replayed yet.") boolean all) {
        PrintWriter out = spec.commandLine().getOut();
        List<Long> given = new ArrayList<>();
        Optional.ofNullable(ids).ifPresent(given::addAll);
        Optional.ofNullable(idsOption).ifPresent(given::addAll);
        boolean filtered = filter != null && !filter.isEmpty();
        // The API replays the ids and ignores the rest when given several: refuse rather than drop a filter silently.
        if ((given.isEmpty() ? 0 : 1) + (filtered ? 1 : 0) + (all ? 1 : 0) > 1) {
            throw new ParameterException(spec.commandLine(), "replay takes ids, a filter or --all, not several of "
                    + "them");
        }
        ObjectNode request = RefresherCtl.JSON.createObjectNode();
        if (!given.isEmpty()) {
            request.set("ids", RefresherCtl.JSON.valueToTree(given));
        }
        if (filtered) {
            filter.query().forEach((name, value) -> request.put(name, value.toString()));
        }
        if (all) {
            request.put("all", true);
        }
        JsonNode answer = root.api().post("api/dead-letters/replay", request);
        JsonNode notFound = answer.path("notFound");
        if (!root.printedAsJson(out, answer)) {
            // the counts are complete; the lists stop at the API's maximum (a replay by filter of many letters)
            long replayed = answer.path("replayedCount").asLong(answer.path("replayed").size());
            long skipped = answer.path("skippedCount").asLong(answer.path("skipped").size());
            out.println("replayed " + replayed + ", skipped " + skipped + (notFound.isEmpty()
                    ? ""
                    : ", not found "
                            + notFound.size())
                    + (replayed > answer.path("replayed").size() || skipped > answer.path(
                            "skipped").size()
                                    ? " (the first " + answer.path("replayed").size() + " and "
                                            + answer.path("skipped").size() + " listed)"
                                    : ""));
            new Table().column("DEAD LETTER", "/deadLetterId").column("CONNECTION", "/connectionId").column("FENCE",
                    "/fence").print(out, answer.path("replayed"));
            if (!answer.path("skipped").isEmpty()) {
                new Table().column("SKIPPED", "/deadLetterId").column("WHY", "/why").print(out, answer.path(
                        "skipped"));
            }
        }
        if (!notFound.isEmpty()) {
            throw new CliException(CliException.API_ERROR, "not found: no dead letter has id " + notFound
                    .valueStream().map(JsonNode::asString).collect(Collectors.joining(", "))
                    + " (the ids that exist were handled as printed)");
        }
        return 0;
    }

    @Command(name = "purge", mixinStandardHelpOptions = true, description = "Delete dead letters for good; a filter is required.")
    int purge(@ArgGroup(exclusive = false) Filter filter) {
        PrintWriter out = spec.commandLine().getOut();
        if (filter == null || filter.isEmpty()) {
            throw new CliException(CliException.API_ERROR, "purge needs a filter: --reason, --provider, --connection "
                    + "or --since");
        }
        JsonNode answer = root.api().delete("api/dead-letters", filter.query());
        if (!root.printedAsJson(out, answer)) {
            out.println("purged " + answer.path("purged").asInt());
            out.flush();
        }
        return 0;
    }
}
