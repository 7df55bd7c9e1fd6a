package dev.tokenrefresher.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Registering, reading, listing, refreshing now and disconnecting connections through the admin API. */
class ConnectionApiTest extends SchedulerApiTestBase {

    @Test
    void aRegisteredConnectionIsShownWithItsStateAndNeverItsTokens() {
        Minted minted = mint();
        UUID id = register(PROVIDER, minted, 3000);

        Response response = get("/api/connections/" + id, ADMIN_KEY);

        assertThat(response.status()).isEqualTo(200);
        JsonNode body = response.body();
        assertThat(body.get("id").asString()).isEqualTo(id.toString());
        assertThat(body.get("status").asString()).isEqualTo("ACTIVE");
        assertThat(body.get("provider").asString()).isEqualTo(PROVIDER);
        assertThat(body.has("accessExpiresAt")).isTrue();
        assertThat(body.has("nextRefreshAt")).isTrue();
        assertThat(body.get("consecutiveFailures").asInt()).isZero();
        assertThat(body.get("recentAttempts").isArray()).isTrue();
        assertThat(body.toString()).doesNotContain(minted.accessToken(), minted.refreshToken(), minted.realmId());
    }

    @Test
    void registrationNamesEveryBadField() {
        Map<String, Object> request = new LinkedHashMap<>(registration(PROVIDER, mint(), 3000));
        request.remove("accessToken");
        request.put("expiresIn", -5);
        request.put("tenantId", "t".repeat(201));
        Response response = post("/api/connections", ADMIN_KEY, request);

        assertThat(response.status()).isEqualTo(400);
        assertThat(fields(response)).contains("accessToken", "expiresIn", "tenantId");
        assertThat(response.body().toString()).doesNotContain(String.valueOf(request.get("refreshToken")));
    }

    @Test
    void registrationRejectsAWrongTypeAndAnUnknownProviderByName() {
        Map<String, Object> wrongType = new LinkedHashMap<>(registration(PROVIDER, mint(), 3000));
        wrongType.put("expiresIn", "an hour");
        Response typed = post("/api/connections", ADMIN_KEY, wrongType);
        assertThat(typed.status()).isEqualTo(400);
        assertThat(fields(typed)).containsExactly("expiresIn");

        Response unknown = post("/api/connections", ADMIN_KEY, registration("no-such-provider", mint(), 3000));
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(fields(unknown)).containsExactly("provider");

        Response notJson = post("/api/connections", ADMIN_KEY, "{not json");
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(fields(notJson)).containsExactly("body");
    }

    @Test
    void unknownAndMalformedIdsAre404And400() {
        assertThat(get("/api/connections/" + UUID.randomUUID(), ADMIN_KEY).status()).isEqualTo(404);
        Response malformed = get("/api/connections/not-a-uuid", ADMIN_KEY);
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(fields(malformed)).containsExactly("id");
        assertThat(post("/api/connections/" + UUID.randomUUID() + "/refresh", ADMIN_KEY, "").status())
                .isEqualTo(404);
        assertThat(delete("/api/connections/" + UUID.randomUUID(), ADMIN_KEY).status()).isEqualTo(404);
    }

    @Test
    void theListPagesThroughEveryConnectionInIdOrderWithACursor() {
        List<UUID> mine = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            mine.add(register(PROVIDER, mint(), 3000));
        }
        List<UUID> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Response page = get("/api/connections?limit=2" + (cursor == null ? "" : "&after=" + cursor), ADMIN_KEY);
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.body().get("items").size()).isLessThanOrEqualTo(2);
            page.body().get("items").forEach(item -> seen.add(UUID.fromString(item.get("id").asString())));
            cursor = page.body().get("nextCursor").isNull() ? null : page.body().get("nextCursor").asString();
            pages++;
        } while (cursor != null && pages < 1000);

        assertThat(seen).containsAll(mine).doesNotHaveDuplicates();
        // PostgreSQL orders uuids by their bytes, as their text sorts (Java's UUID.compareTo does not)
        assertThat(seen.stream().map(UUID::toString).toList()).isSorted();
        assertThat(pages).isGreaterThanOrEqualTo(3);
    }

    @Test
    void theListFiltersByProviderStatusAndTenant() {
        Map<String, Object> request = registration(OTHER_PROVIDER, mint(), 3000);
        UUID other = UUID.fromString(post("/api/connections", ADMIN_KEY, request).body().get("id").asString());
        UUID quickbooks = register(PROVIDER, mint(), 3000);

        JsonNode byProvider = get("/api/connections?provider=" + OTHER_PROVIDER + "&limit=1000", ADMIN_KEY).body();
        assertThat(byProvider.get("items").findValuesAsString("provider")).containsOnly(OTHER_PROVIDER);
        assertThat(byProvider.get("items").findValuesAsString("id")).contains(other.toString())
                .doesNotContain(quickbooks.toString());

        JsonNode byTenant = get("/api/connections?tenantId=" + request.get("tenantId"), ADMIN_KEY).body();
        assertThat(byTenant.get("items").findValuesAsString("id")).containsExactly(other.toString());

        delete("/api/connections/" + quickbooks, ADMIN_KEY);
        JsonNode disconnected = get("/api/connections?status=DISCONNECTED&limit=1000", ADMIN_KEY).body();
        assertThat(disconnected.get("items").findValuesAsString("status")).containsOnly("DISCONNECTED");
        assertThat(disconnected.get("items").findValuesAsString("id")).contains(quickbooks.toString());
    }

    @Test
    void badListParametersAreNamed() {
        assertThat(fields(get("/api/connections?status=SLEEPING", ADMIN_KEY))).containsExactly("status");
        assertThat(fields(get("/api/connections?limit=0", ADMIN_KEY))).containsExactly("limit");
        assertThat(fields(get("/api/connections?limit=5000", ADMIN_KEY))).containsExactly("limit");
        assertThat(fields(get("/api/connections?after=nope", ADMIN_KEY))).containsExactly("after");
        assertThat(fields(get("/api/connections?provider=nope", ADMIN_KEY))).containsExactly("provider");
    }

    @Test
    void refreshNowGivesTheConnectionANewFenceDueNow() {
        UUID id = register(PROVIDER, mint(), 3000);
        long fenceBefore = get("/api/connections/" + id, ADMIN_KEY).body().get("refreshFence").asLong();

        Response response = post("/api/connections/" + id + "/refresh", ADMIN_KEY, "");

        assertThat(response.status()).isEqualTo(202);
        assertThat(response.body().get("state").asString()).isEqualTo("scheduled");
        assertThat(response.body().get("fence").asLong()).isEqualTo(fenceBefore + 1);
        JsonNode after = get("/api/connections/" + id, ADMIN_KEY).body();
        assertThat(after.get("refreshFence").asLong()).isEqualTo(fenceBefore + 1);
    }

    @Test
    void disconnectStopsTheChainEvenTwiceAndRevokesAtTheProviderWhenAsked() {
        Minted minted = mint();
        UUID id = register(PROVIDER, minted, 3000);

        Response first = delete("/api/connections/" + id + "?revoke=true", ADMIN_KEY);

        assertThat(first.status()).isEqualTo(200);
        assertThat(first.body().at("/connection/status").asString()).isEqualTo("DISCONNECTED");
        assertThat(first.body().at("/connection/nextRefreshAt").isNull()).isTrue();
        assertThat(first.body().get("revocation").asString()).isEqualTo("revoked");
        assertThat(sandbox("/sandbox/connections/" + minted.realmId()).get("revoked").asBoolean()).isTrue();
        assertThat(first.body().toString()).doesNotContain(minted.refreshToken());

        Response second = delete("/api/connections/" + id + "?revoke=true", ADMIN_KEY);
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.body().get("revocation").asString()).isEqualTo("already_disconnected");

        Response refresh = post("/api/connections/" + id + "/refresh", ADMIN_KEY, "");
        assertThat(refresh.status()).isEqualTo(409);
        assertThat(refresh.body().get("status").asString()).isEqualTo("DISCONNECTED");
    }

    @Test
    void revocationIsReportedAsNotSupportedWhereTheProviderHasNoEndpoint() {
        UUID id = UUID.fromString(post("/api/connections", ADMIN_KEY, registration(OTHER_PROVIDER, mint(), 3000))
                .body().get("id").asString());

        Response response = delete("/api/connections/" + id + "?revoke=true", ADMIN_KEY);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body().get("revocation").asString()).isEqualTo("not_supported");
        assertThat(response.body().at("/connection/status").asString()).isEqualTo("DISCONNECTED");
    }

    static List<String> fields(Response response) {
        assertThat(response.status()).as(response.body().toString()).isEqualTo(400);
        return response.body().get("errors").findValuesAsString("field");
    }
}
