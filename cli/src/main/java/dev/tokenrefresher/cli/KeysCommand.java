package dev.tokenrefresher.cli;

import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

/** {@code refresherctl keys status}: which keys hold the stored tokens, and the re-encryption job's progress. */
@Command(name = "keys", description = "Encryption keys in use and the re-encryption job (role admin).", mixinStandardHelpOptions = true)
final class KeysCommand {

    @ParentCommand
    RefresherCtl root;

    @Spec
    CommandSpec spec;

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Rows and values per key id and format "
            + "(a full scan of the connection table), rows still outside the primary key, and the job's pass. "
            + "Remove an old key only when 'outside primary' is 0 and no row uses its id.")
    int status() {
        PrintWriter out = spec.commandLine().getOut();
        JsonNode status = root.api().get("api/keys", Map.of());
        if (root.printedAsJson(out, status)) {
            return 0;
        }
        out.println("primary key: " + Table.text(status.path("primaryKeyId")) + " (format " + Table.text(status.path(
                "writeFormat")) + ")");
        new Table().column("KEY ID", "/keyId").column("FORMAT", "/format").column("CONFIGURED", "/configured")
                .column("ROWS", "/rows").column("VALUES", "/values").print(out, status.path("usage"));
        out.println("outside primary: " + Table.text(status.path("rowsOutsidePrimary")) + " rows");
        JsonNode job = status.path("job");
        if (job.isMissingNode() || job.isNull()) {
            out.println("re-encryption job: no pass yet");
        } else {
            out.println("re-encryption job: pass to " + Table.text(job.path("target")) + " started "
                    + Table.text(job.path("passStartedAt")) + ", " + (job.path("passCompletedAt").isNull()
                            ? "running"
                            : "completed " + Table.text(job.path("passCompletedAt")))
                    + "; rewritten " + Table.text(job.path("rewritten")) + ", left for the next pass "
                    + Table.text(job.path("leftForNextPass")) + ", undecryptable " + Table.text(job.path(
                            "undecryptable")));
        }
        out.flush();
        return 0;
    }
}
