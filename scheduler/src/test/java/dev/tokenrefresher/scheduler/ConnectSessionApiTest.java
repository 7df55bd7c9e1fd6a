package dev.tokenrefresher.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenrefresher.common.test.RunningSandbox;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Issue 22: connect and reconnect sessions against the real sandbox's authorization endpoint, driven as a browser would
 * (each redirect followed by hand, the consent page's form posted). QuickBooks as preset (no PKCE, realmId on the
 * callback); {@value #OTHER_PROVIDER} generic with PKCE (both configured in {@link SchedulerApiTestBase}, so the context
 * is shared). The scheduler's public base URL is a placeholder: the test sends the browser's requests to the port the
 * scheduler listens on.
 */
class ConnectSessionApiTest extends SchedulerApiTestBase {

    private static final String RETURN_URL = RETURN_BASE + "/done?from=test";
    private static final HttpClient BROWSER = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .build();
    private static final Pattern REQUEST_FIELD = Pattern.compile("name=\"request\"\\s+value=\"([^\"]+)\"");

    @Autowired
    JdbcClient jdbc;

    @Test
    void aTenantConnectedThroughASessionIsActiveWithTheProvidersTokensAndTheRealmFromTheCallback() {
        long exchangedBefore = sandbox("/sandbox/stats").path("authorizations").path("codesExchanged").asLong();
        JsonNode session = createSession("tenant-" + UUID.randomUUID(), PROVIDER, ADMIN_KEY);
        assertThat(session.get("status").asString()).isEqualTo("CREATED");

        URI authorize = open(session);
        Map<String, String> authorizeQuery = query(authorize);
        assertThat(authorizeQuery).containsEntry("response_type", "code").containsEntry("client_id",
                RunningSandbox.CLIENT_ID).containsEntry("scope", "com.intuit.quickbooks.accounting").containsEntry(
                        "redirect_uri", PUBLIC_BASE + "/connect/callback")
                .doesNotContainKey("code_challenge");
        URI callback = decide(authorize, "approve");
        Map<String, String> back = query(follow(callback));

        assertThat(back).containsEntry("status", "ACTIVE").containsEntry("from", "test").containsEntry(
                "connectSessionId", session.get("id").asString()).doesNotContainKeys("code", "state", "error");
        UUID connectionId = UUID.fromString(back.get("connectionId"));
        JsonNode connection = get("/api/connections/" + connectionId, ADMIN_KEY).body();
        assertThat(connection.get("status").asString()).isEqualTo("ACTIVE");
        assertThat(connection.get("nextRefreshAt").isString()).isTrue();
        // the QuickBooks preset asks for the hard cap on the exchange too: Intuit's 5 years, from now
        assertThat(Instant.parse(connection.get("refreshHardExpiresAt").asString())).isBetween(Instant.now().plus(
                Duration.ofDays(1825)).minus(Duration.ofMinutes(5)), Instant.now().plus(Duration.ofDays(1825)));
        JsonNode token = get("/api/connections/" + connectionId + "/access-token", READER_KEY).body();
        assertThat(token.get("realmId").asString()).isEqualTo(query(callback).get("realmId"));
        assertThat(sandbox("/sandbox/stats").path("authorizations").path("codesExchanged").asLong())
                .isEqualTo(exchangedBefore + 1);
        JsonNode finished = get("/api/connect-sessions/" + session.get("id").asString(), CONNECT_KEY).body();
        assertThat(finished.get("status").asString()).isEqualTo("COMPLETED");
        assertThat(finished.get("connectionId").asString()).isEqualTo(connectionId.toString());
        assertThat(finished.has("connectUrl")).as("the link is shown once").isFalse();
    }

    @Test
    void withPkceTheChallengeGoesOutAndTheProviderAcceptsTheVerifierOnTheExchange() {
        long pkceFailuresBefore = sandbox("/sandbox/stats").path("authorizations").path("pkceFailures").asLong();
        JsonNode session = createSession("tenant-" + UUID.randomUUID(), OTHER_PROVIDER, CONNECT_KEY);

        URI authorize = open(session);
        assertThat(query(authorize)).containsEntry("code_challenge_method", "S256").containsKey("code_challenge")
                .containsEntry("scope", "read offline_access");
        Map<String, String> back = query(follow(decide(authorize, "approve")));

        assertThat(back).containsEntry("status", "ACTIVE");
        assertThat(sandbox("/sandbox/stats").path("authorizations").path("pkceFailures").asLong())
                .isEqualTo(pkceFailuresBefore);
    }

    @Test
    void aDeniedAuthorizationSendsTheUserBackWithAccessDeniedAndStoresNothing() {
        String tenant = "tenant-" + UUID.randomUUID();
        JsonNode session = createSession(tenant, PROVIDER, ADMIN_KEY);

        Map<String, String> back = query(follow(decide(open(session), "deny")));

        assertThat(back).containsEntry("error", "access_denied").doesNotContainKey("connectionId");
        assertThat(get("/api/connections?tenantId=" + tenant, ADMIN_KEY).body().get("items")).isEmpty();
        assertThat(get("/api/connect-sessions/" + session.get("id").asString(), ADMIN_KEY).body().get("error")
                .asString()).isEqualTo("access_denied");
    }

    @Test
    void aLinkOpensOnceAndASecondOpeningIsSentBackWithLinkUsed() {
        JsonNode session = createSession("tenant-" + UUID.randomUUID(), PROVIDER, ADMIN_KEY);
        open(session);

        HttpResponse<String> again = browse(local(URI.create(session.get("connectUrl").asString())));

        assertThat(again.statusCode()).isEqualTo(302);
        assertThat(query(location(again))).containsEntry("error", "link_used");
    }

    @Test
    void aReplayedCallbackIsRefusedAsStateReusedAndNoSecondCodeIsExchanged() {
        JsonNode session = createSession("tenant-" + UUID.randomUUID(), PROVIDER, ADMIN_KEY);
        URI callback = decide(open(session), "approve");
        assertThat(query(follow(callback))).containsEntry("status", "ACTIVE");
        long exchanged = sandbox("/sandbox/stats").path("authorizations").path("codesExchanged").asLong();

        Map<String, String> replay = query(follow(callback));

        assertThat(replay).containsEntry("error", "state_reused");
        assertThat(sandbox("/sandbox/stats").path("authorizations").path("codesExchanged").asLong())
                .isEqualTo(exchanged);
    }

    @Test
    void aCallbackWithAnUnknownStateGetsAPageThatSaysSoAndNoRedirect() {
        HttpResponse<String> page = browse(local(URI.create(PUBLIC_BASE + "/connect/callback?code=abc&state="
                + "not-a-state")));

        assertThat(page.statusCode()).isEqualTo(400);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith(
                "text/html"));
        assertThat(page.body()).contains("Unknown state").doesNotContain("abc");
        assertThat(page.headers().firstValue("Location")).isEmpty();
    }

    @Test
    void aSessionThatExpiredBeforeTheCallbackSendsTheUserBackWithSessionExpiredAndExchangesNothing() {
        JsonNode session = createSession("tenant-" + UUID.randomUUID(), PROVIDER, ADMIN_KEY);
        URI callback = decide(open(session), "approve");
        long exchanged = sandbox("/sandbox/stats").path("authorizations").path("codesExchanged").asLong();
        // the ten minutes pass
        jdbc.sql("UPDATE connect_session SET expires_at = now() - interval '1 second' WHERE id = :id").param("id",
                UUID.fromString(session.get("id").asString())).update();

        assertThat(query(follow(callback))).containsEntry("error", "session_expired");
        assertThat(sandbox("/sandbox/stats").path("authorizations").path("codesExchanged").asLong())
                .isEqualTo(exchanged);
    }

    @Test
    void aReconnectOfAConnectionThatNeedsReauthorizationKeepsItsIdAndMakesItActive() {
        String tenant = "tenant-" + UUID.randomUUID();
        URI firstCallback = decide(open(createSession(tenant, PROVIDER, ADMIN_KEY)), "approve");
        UUID connectionId = UUID.fromString(query(follow(firstCallback)).get("connectionId"));
        jdbc.sql("UPDATE connection SET status = 'REAUTH_REQUIRED', next_refresh_at = NULL WHERE id = :id").param(
                "id", connectionId).update();

        Response made = post("/api/connections/" + connectionId + "/reconnect-session", CONNECT_KEY, Map.of(
                "returnUrl", RETURN_URL));
        assertThat(made.status()).isEqualTo(201);
        assertThat(made.body().get("reconnect").asBoolean()).isTrue();
        URI authorize = open(made.body());
        Map<String, String> back = query(follow(decide(authorize, "approve", query(firstCallback).get("realmId"))));

        assertThat(back).containsEntry("connectionId", connectionId.toString()).containsEntry("status", "ACTIVE");
        assertThat(get("/api/connections/" + connectionId, ADMIN_KEY).body().get("status").asString())
                .isEqualTo("ACTIVE");
    }

    @Test
    void aReconnectThatAuthorizesAnotherCompanyChangesNothing() {
        String tenant = "tenant-" + UUID.randomUUID();
        UUID connectionId = UUID.fromString(query(follow(decide(open(createSession(tenant, PROVIDER, ADMIN_KEY)),
                "approve"))).get("connectionId"));
        String tokenBefore = get("/api/connections/" + connectionId + "/access-token", READER_KEY).body().get(
                "accessToken").asString();

        Response made = post("/api/connections/" + connectionId + "/reconnect-session", ADMIN_KEY, Map.of(
                "returnUrl", RETURN_URL));
        Map<String, String> back = query(follow(decide(open(made.body()), "approve")));

        assertThat(back).containsEntry("error", "realm_mismatch");
        assertThat(get("/api/connections/" + connectionId + "/access-token", READER_KEY).body().get("accessToken")
                .asString()).isEqualTo(tokenBefore);
    }

    @Test
    void aReturnUrlOutsideTheAllowListOrAProviderWithoutAuthorizationIsA400NamingTheField() {
        Response open = post("/api/connect-sessions", ADMIN_KEY, Map.of("tenantId", "t", "provider", PROVIDER,
                "returnUrl", "https://evil.example.test/oauth"));
        assertThat(open.status()).isEqualTo(400);
        assertThat(open.body().get("errors").get(0).get("field").asString()).isEqualTo("returnUrl");

        Response unknown = post("/api/connect-sessions", ADMIN_KEY, Map.of("tenantId", "t", "provider", "nope",
                "returnUrl", RETURN_URL, "scopes", List.of("bad scope")));
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.body().get("errors").findValuesAsString("field")).containsExactly("provider",
                "scopes[0]");
    }

    @Test
    void theConnectRoleMakesSessionsAndNothingElse() {
        assertThat(get("/api/connections", CONNECT_KEY).status()).isEqualTo(403);
        assertThat(post("/api/connect-sessions", READER_KEY, Map.of("tenantId", "t", "provider", PROVIDER,
                "returnUrl", RETURN_URL)).status()).isEqualTo(403);
        assertThat(post("/api/connect-sessions", null, Map.of()).status()).isEqualTo(401);
    }

    private JsonNode createSession(String tenant, String provider, String key) {
        Response response = post("/api/connect-sessions", key, Map.of("tenantId", tenant, "provider", provider,
                "returnUrl", RETURN_URL));
        assertThat(response.status()).as("session made: %s", response.body()).isEqualTo(201);
        assertThat(response.headers().firstValue("Location")).hasValue("/api/connect-sessions/" + response.body()
                .get("id").asString());
        return response.body();
    }

    /** Opens a session's link as a browser: it must redirect to the sandbox's authorization endpoint. */
    private URI open(JsonNode session) {
        HttpResponse<String> response = browse(local(URI.create(session.get("connectUrl").asString())));
        assertThat(response.statusCode()).as("opening the link: %s", response.body()).isEqualTo(302);
        assertThat(response.headers().firstValue("Cache-Control")).hasValueSatisfying(value -> assertThat(value)
                .contains("no-store"));
        URI authorize = location(response);
        assertThat(authorize.getPath()).isEqualTo("/connect/oauth2");
        return authorize;
    }

    private URI decide(URI authorize, String decision) {
        return decide(authorize, decision, null);
    }

    /** The user on the sandbox's consent page: approves (for {@code realm}, or a new company) or denies. */
    private URI decide(URI authorize, String decision, String realm) {
        HttpResponse<String> page = browse(authorize);
        assertThat(page.statusCode()).as("the consent page: %s", page.body()).isEqualTo(200);
        Matcher field = REQUEST_FIELD.matcher(page.body());
        assertThat(field.find()).as("the consent form's request field in %s", page.body()).isTrue();
        StringBuilder form = new StringBuilder("request=").append(encode(field.group(1))).append("&decision=")
                .append(decision);
        if (realm != null) {
            form.append("&company=").append(encode(realm));
        }
        HttpResponse<String> answer = send(HttpRequest.newBuilder(SANDBOX.url("/connect/oauth2/decision")).header(
                "Content-Type", "application/x-www-form-urlencoded").POST(
                        HttpRequest.BodyPublishers.ofString(form
                                .toString())));
        assertThat(answer.statusCode()).as("the decision: %s", answer.body()).isEqualTo(302);
        return location(answer);
    }

    /** Follows one redirect to the scheduler (the callback) and answers where it sends the browser. */
    private URI follow(URI callback) {
        HttpResponse<String> response = browse(local(callback));
        assertThat(response.statusCode()).as("the callback: %s", response.body()).isEqualTo(302);
        URI back = location(response);
        assertThat(back.toString()).startsWith(RETURN_URL);
        return back;
    }

    /** A URL under the placeholder public base, sent to the port this scheduler listens on. */
    private URI local(URI uri) {
        assertThat(uri.toString()).startsWith(PUBLIC_BASE);
        return URI.create(baseUri() + uri.toString().substring(PUBLIC_BASE.length()));
    }

    private static HttpResponse<String> browse(URI uri) {
        return send(HttpRequest.newBuilder(uri).GET());
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return BROWSER.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static URI location(HttpResponse<?> response) {
        return URI.create(response.headers().firstValue("Location").orElseThrow());
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> parameters = new LinkedHashMap<>();
        if (uri.getRawQuery() == null) {
            return parameters;
        }
        for (String pair : uri.getRawQuery().split("&")) {
            int equals = pair.indexOf('=');
            parameters.put(URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8),
                    equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
        }
        return parameters;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
