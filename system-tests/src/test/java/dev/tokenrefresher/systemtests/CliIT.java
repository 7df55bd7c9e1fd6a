package dev.tokenrefresher.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tokenrefresher.common.test.TestServices;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** An operator's session with {@code refresherctl} against a running system: find dead letters, replay them. */
class CliIT {

    private static final Duration SOON = Duration.ofSeconds(20);

    @Test
    void theCliListsAndReplaysDeadLettersAndReadsTokens() throws IOException {
        try (RunningSystem system = RunningSystem.start("cli", 1, List.of(), Map.of())) {
            Cli admin = new Cli(system.scheduler().url("/"), JsonHttp.ADMIN_KEY);
            Cli hostApp = new Cli(system.scheduler().url("/"), JsonHttp.TOKEN_READER_KEY);
            List<Sandbox.Minted> minted = system.sandbox().mint(3);
            List<UUID> ids;
            system.sandbox().faults(Map.of("invalidClient", true));
            try {
                Instant dueAtOnce = Instant.now().minus(Duration.ofHours(2));
                ids = minted.stream().map(m -> system.registerOrFail("cli-" + UUID.randomUUID(), m, dueAtOnce))
                        .toList();
                await().atMost(SOON).until(() -> system.deadLetters("reason=invalid_client").size() == 3);
            } finally {
                system.sandbox().faults(Map.of("invalidClient", false));
            }

            Cli.Result table = admin.run("dlq", "list", "--reason", "invalid_client");
            assertThat(table.exitCode()).as(table.err()).isZero();
            assertThat(table.out().lines().findFirst()).hasValueSatisfying(header -> assertThat(header).contains(
                    "ID", "REASON", "CONNECTION"));
            assertThat(ids).allSatisfy(id -> assertThat(table.out()).contains(id.toString()));
            // listing consumes nothing
            assertThat(admin.run("dlq", "list", "--reason", "invalid_client").out()).isEqualTo(table.out());

            Cli.Result stats = admin.run("--json", "dlq", "stats");
            assertThat(JsonHttp.JSON.readTree(stats.out()).get("invalid_client").asInt()).isEqualTo(3);

            Cli.Result replay = admin.run("dlq", "replay", "--reason", "invalid_client");
            assertThat(replay.exitCode()).as(replay.err()).isZero();
            assertThat(replay.out()).startsWith("replayed 3, skipped 0");
            await().atMost(SOON).until(() -> minted.stream().allMatch(m -> system.sandbox().report(m.realmId())
                    .refreshes() == 1));

            Cli.Result again = admin.run("--json", "dlq", "replay", "--reason", "invalid_client");
            assertThat(JsonHttp.JSON.readTree(again.out()).get("replayed")).isEmpty();
            assertThat(minted).allSatisfy(m -> assertThat(system.sandbox().report(m.realmId()).refreshes())
                    .isEqualTo(1));
            long firstLetter = JsonHttp.JSON.readTree(admin.run("--json", "dlq", "list", "--reason", "invalid_client")
                    .out()).get("items").get(0).get("id").asLong();
            Cli.Result byIds = admin.run("dlq", "replay", String.valueOf(firstLetter), "987654321");
            assertThat(byIds.exitCode()).isEqualTo(1);
            assertThat(byIds.out()).startsWith("replayed 0, skipped 1, not found 1");
            assertThat(byIds.err()).contains("no dead letter has id 987654321");

            Cli.Result show = admin.run("connections", "show", ids.getFirst().toString());
            assertThat(show.out()).contains("ACTIVE", "REFRESHED", "invalid_client");
            Cli.Result list = admin.run("--json", "connections", "list", "--all");
            assertThat(list.out()).contains(ids.getFirst().toString());
            // the sandbox's refresh tokens live 100 days (rolling): due within a year, not within a day
            assertThat(admin.run("--json", "connections", "list", "--all", "--reauth-due-within", "P365D").out())
                    .contains(ids.getFirst().toString());
            assertThat(admin.run("--json", "connections", "list", "--all", "--reauth-due-within", "P1D").out())
                    .doesNotContain(ids.getFirst().toString());

            Cli.Result token = hostApp.run("token", "get", ids.getFirst().toString());
            assertThat(token.exitCode()).as(token.err()).isZero();
            JsonNode stored = system.connection(ids.getFirst());
            assertThat(token.out().strip()).startsWith("sbx_at_");
            assertThat(token.err()).contains("expires at");

            Cli.Result forbidden = hostApp.run("dlq", "stats");
            assertThat(forbidden.exitCode()).isEqualTo(1);
            assertThat(forbidden.err()).contains("HTTP 403");
            Cli.Result missing = admin.run("connections", "show", UUID.randomUUID().toString());
            assertThat(missing.exitCode()).isEqualTo(1);
            assertThat(missing.err()).contains("HTTP 404", "does not exist");
            assertThat(stored.get("status").asString()).isEqualTo("ACTIVE");

            Cli.Result keys = admin.run("keys", "status");
            assertThat(keys.exitCode()).as(keys.err()).isZero();
            assertThat(keys.out()).contains("primary key: test (format 2)", "KEY ID", "CONFIGURED",
                    "outside primary: 0 rows");

            // The packaged CLI reaches the broker and the database itself, and tears nothing down under running apps.
            TestServices services = TestServices.get();
            Cli.Result teardown = admin.run("admin", "teardown", "--prefix=" + system.namespace().messagingPrefix(),
                    "--database-url=" + services.jdbcUrl(system.namespace()), "--database-user=" + services
                            .postgresUser(),
                    "--database-password=" + services.postgresPassword(), "--rabbitmq-host="
                            + services.rabbitHost(),
                    "--rabbitmq-port=" + services.rabbitPort(),
                    "--rabbitmq-user=" + services.rabbitUser(), "--rabbitmq-password=" + services.rabbitPassword(),
                    "--confirm");
            assertThat(teardown.exitCode()).as(teardown.err()).isEqualTo(1);
            assertThat(teardown.err()).contains("nothing removed", "consumer(s)", "stop them first");
            assertThat(system.connection(ids.getFirst()).get("status").asString()).isEqualTo("ACTIVE");

            // Nothing but `token get` prints a token.
            for (Cli.Result result : List.of(table, stats, replay, again, byIds, show, list, forbidden, missing,
                    keys, teardown)) {
                assertThat(LeakScanner.leaks(result.out() + result.err(), List.of(JsonHttp.ADMIN_KEY))).isFalse();
            }
        }
    }
}
