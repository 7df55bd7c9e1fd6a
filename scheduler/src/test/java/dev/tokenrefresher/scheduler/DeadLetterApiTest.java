package dev.tokenrefresher.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tokenrefresher.common.connection.ChainEnds;
import dev.tokenrefresher.common.messaging.DeadLetter;
import dev.tokenrefresher.common.messaging.DeadLetterPublisher;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** Dead letters are listed without being consumed, shown, counted, replayed once and purged by filter. */
class DeadLetterApiTest extends SchedulerApiTestBase {

    @Autowired
    private DeadLetterPublisher deadLetters;
    @Autowired
    private JdbcClient jdbc;

    @Test
    void listingTwiceReturnsTheSameEntriesAndShowingOneIncludesItsBody() {
        String reason = uniqueReason();
        publish(reason, null, "this is not JSON {");
        publish(reason, null, "{\"also\":\"garbage\"}");
        List<JsonNode> first = awaitListed(reason, 2);

        List<JsonNode> second = list("/api/dead-letters?reason=" + reason);

        assertThat(second).isEqualTo(first);
        long id = first.getFirst().get("id").asLong();
        Response shown = get("/api/dead-letters/" + id, ADMIN_KEY);
        assertThat(shown.status()).isEqualTo(200);
        assertThat(shown.body().get("reason").asString()).isEqualTo(reason);
        assertThat(shown.body().get("body").asString()).isEqualTo("this is not JSON {");
        assertThat(shown.body().get("bodyBytes").asInt()).isEqualTo(18);
        assertThat(get("/api/dead-letters/stats", ADMIN_KEY).body().get(reason).asLong()).isEqualTo(2);
    }

    @Test
    void unknownAndMalformedDeadLetterIdsAre404And400() {
        assertThat(get("/api/dead-letters/987654321", ADMIN_KEY).status()).isEqualTo(404);
        assertThat(get("/api/dead-letters/abc", ADMIN_KEY).status()).isEqualTo(400);
        assertThat(ConnectionApiTest.fields(get("/api/dead-letters?limit=0", ADMIN_KEY))).containsExactly("limit");
        assertThat(ConnectionApiTest.fields(get("/api/dead-letters?since=yesterday", ADMIN_KEY)))
                .containsExactly("since");
    }

    @Test
    void replayByReasonRestartsThoseChainsOnceAndASecondReplayReplaysNothing() {
        String reason = uniqueReason();
        UUID first = register(PROVIDER, mint(), 3000);
        UUID second = register(PROVIDER, mint(), 3000);
        publish(reason, first, "{}");
        publish(reason, second, "{}");
        awaitListed(reason, 2);
        long fenceBefore = get("/api/connections/" + first, ADMIN_KEY).body().get("refreshFence").asLong();

        Response replay = post("/api/dead-letters/replay", ADMIN_KEY, "{\"reason\":\"" + reason + "\"}");

        assertThat(replay.status()).isEqualTo(200);
        assertThat(replay.body().get("replayed").findValuesAsString("connectionId")).containsExactlyInAnyOrder(first
                .toString(), second.toString());
        assertThat(get("/api/connections/" + first, ADMIN_KEY).body().get("refreshFence").asLong())
                .isEqualTo(fenceBefore + 1);

        Response again = post("/api/dead-letters/replay", ADMIN_KEY, "{\"reason\":\"" + reason + "\"}");
        assertThat(again.body().get("replayed")).isEmpty();
        List<Long> ids = list("/api/dead-letters?reason=" + reason).stream().map(l -> l.get("id").asLong()).toList();
        Response byIds = post("/api/dead-letters/replay", ADMIN_KEY, "{\"ids\":" + ids + "}");
        assertThat(byIds.body().get("replayed")).isEmpty();
        assertThat(byIds.body().get("skipped").findValuesAsString("why")).containsOnly("already_replayed");
        assertThat(get("/api/connections/" + first, ADMIN_KEY).body().get("refreshFence").asLong())
                .isEqualTo(fenceBefore + 1);
    }

    @Test
    void replayByIdsNamesTheIdsThatAreNoDeadLetterAndStillReplaysTheOthers() {
        String reason = uniqueReason();
        UUID connection = register(PROVIDER, mint(), 3000);
        publish(reason, connection, "{}");
        long id = awaitListed(reason, 1).getFirst().get("id").asLong();
        long unknown = id + 1_000_000;

        Response replay = post("/api/dead-letters/replay", ADMIN_KEY, "{\"ids\":[" + unknown + "," + id + ","
                + unknown + "]}");

        assertThat(replay.status()).isEqualTo(200);
        assertThat(replay.body().get("replayed").valueStream().map(r -> r.get("deadLetterId").asLong()))
                .containsExactly(id);
        assertThat(replay.body().get("notFound").valueStream().map(JsonNode::asLong)).containsExactly(unknown);
        Response onlyUnknown = post("/api/dead-letters/replay", ADMIN_KEY, "{\"ids\":[" + unknown + "]}");
        assertThat(onlyUnknown.status()).isEqualTo(200);
        assertThat(onlyUnknown.body().get("replayed")).isEmpty();
        assertThat(onlyUnknown.body().get("skipped")).isEmpty();
        assertThat(onlyUnknown.body().get("notFound").valueStream().map(JsonNode::asLong)).containsExactly(unknown);
        Response byFilter = post("/api/dead-letters/replay", ADMIN_KEY, "{\"reason\":\"" + reason + "\"}");
        assertThat(byFilter.body().get("notFound")).isEmpty();
    }

    @Test
    void replayAndPurgeRefuseToActOnEverythingByAccident() {
        Response replay = post("/api/dead-letters/replay", ADMIN_KEY, "{}");
        assertThat(ConnectionApiTest.fields(replay)).containsExactly("ids");
        Response idsAndFilter = post("/api/dead-letters/replay", ADMIN_KEY, "{\"ids\":[1],\"reason\":\"x\"}");
        assertThat(idsAndFilter.status()).isEqualTo(400);
        assertThat(ConnectionApiTest.fields(idsAndFilter)).containsExactly("ids");
        Response purge = delete("/api/dead-letters", ADMIN_KEY);
        assertThat(ConnectionApiTest.fields(purge)).containsExactly("reason");
    }

    @Test
    void purgeDeletesWhatTheFilterSelectsAndNothingElse() {
        String purged = uniqueReason();
        String kept = uniqueReason();
        publish(purged, null, "x");
        publish(purged, null, "y");
        publish(kept, null, "z");
        awaitListed(purged, 2);
        awaitListed(kept, 1);

        Response response = delete("/api/dead-letters?reason=" + purged, ADMIN_KEY);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body().get("purged").asInt()).isEqualTo(2);
        assertThat(list("/api/dead-letters?reason=" + purged)).isEmpty();
        assertThat(list("/api/dead-letters?reason=" + kept)).hasSize(1);
    }

    @Test
    void aLetterThatEndedAChainIsArchivedResolvedWhenItsConnectionIsActiveAgainAndPendingWhileItIsNot() {
        UUID revived = register(PROVIDER, mint(), 3000);
        UUID ended = register(PROVIDER, mint(), 3000);
        jdbc.sql("UPDATE connection SET status = 'REAUTH_REQUIRED', next_refresh_at = NULL WHERE id = :id")
                .param("id", ended).update();

        publish(ChainEnds.INVALID_GRANT, revived, "{}");
        publish(ChainEnds.INVALID_GRANT, ended, "{}");

        JsonNode resolved = awaitListedFor(revived);
        JsonNode pending = awaitListedFor(ended);
        assertThat(resolved.path("resolvedAt").isNull()).as("resolvedAt of " + resolved).isFalse();
        assertThat(pending.path("resolvedAt").isNull()).as("resolvedAt of " + pending).isTrue();
        assertThat(list("/api/dead-letters?includeReplayed=false&connectionId=" + revived)).isEmpty();
        assertThat(list("/api/dead-letters?includeReplayed=false&connectionId=" + ended)).hasSize(1);
        Response replay = post("/api/dead-letters/replay", ADMIN_KEY, "{\"connectionId\":\"" + revived + "\"}");
        assertThat(replay.body().get("replayed")).as("a resolved letter is not replayed by filter").isEmpty();
    }

    private JsonNode awaitListedFor(UUID connectionId) {
        String path = "/api/dead-letters?connectionId=" + connectionId;
        await().atMost(Duration.ofSeconds(10)).until(() -> list(path).size() == 1);
        return list(path).getFirst();
    }

    private static String uniqueReason() {
        return "test_" + UUID.randomUUID().toString().substring(0, 8);
    }

    private void publish(String reason, UUID connectionId, String body) {
        Instant now = Instant.now();
        deadLetters.publish(new DeadLetter(body.getBytes(StandardCharsets.UTF_8), UUID.randomUUID().toString(),
                reason, reason, "made by a test", PROVIDER, connectionId, 1, null, now, now, "test"));
    }

    private List<JsonNode> awaitListed(String reason, int count) {
        await().atMost(Duration.ofSeconds(10)).until(() -> list("/api/dead-letters?reason=" + reason).size() == count);
        return list("/api/dead-letters?reason=" + reason);
    }

    private List<JsonNode> list(String path) {
        Response response = get(path, ADMIN_KEY);
        assertThat(response.status()).isEqualTo(200);
        return response.body().get("items").valueStream().toList();
    }
}
