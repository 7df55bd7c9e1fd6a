package dev.tokenrefresher.cli;

import dev.tokenrefresher.cli.InstallationBroker.Found;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** What a teardown removed, would remove or did not find: a table for people, one JSON object with --json. */
final class TeardownReport {

    static final String REMOVED = "removed";
    static final String WOULD_REMOVE = "would_remove";
    static final String NOT_THERE = "not_there";

    private final ObjectNode report;
    private final List<JsonNode> items = new ArrayList<>();

    TeardownReport(String prefix, String schema, Set<String> providers, boolean confirmed) {
        report = RefresherCtl.JSON.createObjectNode().put("prefix", prefix).put("schema", schema).put("confirmed",
                confirmed);
        report.set("providers", RefresherCtl.JSON.valueToTree(providers));
    }

    /** A queue or exchange; the state says what happened to it, or would. */
    void add(Found found, String state) {
        add(state, found.kind().toString(), found.name(),
                found.exists() && found.kind() == InstallationBroker.Kind.QUEUE
                        ? found.messages() + " message(s)"
                        : null);
    }

    void addSchema(String schema, InstallationSchema.State stored, String state) {
        add(state, "schema", schema, stored.exists()
                ? stored.tables().size() + " table(s), " + stored.connections() + " connection(s)"
                : null);
    }

    long count(String state) {
        return items.stream().filter(item -> item.get("state").asString().equals(state)).count();
    }

    void print(PrintWriter out, RefresherCtl root) {
        report.putArray("items").addAll(items);
        if (!root.printedAsJson(out, report)) {
            new Table().column("STATE", "/state").column("KIND", "/kind").column("NAME", "/name").column("DETAIL",
                    "/detail").print(out, items);
        }
    }

    private void add(String state, String kind, String name, String detail) {
        items.add(RefresherCtl.JSON.createObjectNode().put("state", state).put("kind", kind).put("name", name).put(
                "detail", detail));
    }
}
