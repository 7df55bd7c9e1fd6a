package dev.tokenrefresher.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * Issue 22 point 5: the connect flow as a user goes through it, in headless Chromium against the running system. The
 * host app makes a session by API; the user opens its link, decides on the sandbox's consent page and lands on the host
 * app's return page ({@link ReturnPage}). Each page the user sees is saved under {@code target/screenshots}. Skipped,
 * saying why, where Debian's chromium and chromium-driver are missing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConnectInBrowserIT {

    /** Tokens and codes the sandbox issues: none may reach a page, an address or a log. */
    private static final Pattern SECRET = Pattern.compile("sbx_(at|rt|code)_");

    private ReturnPage returnPage;
    private RunningSystem system;
    private HeadlessChromium browser;

    @BeforeAll
    void startSystemAndBrowser() {
        HeadlessChromium.missing().ifPresent(why -> Assumptions.abort(why));
        returnPage = ReturnPage.start();
        Map<String, String> settings = new LinkedHashMap<>(ShortTokenSettings.refresher());
        settings.put("refresher.connect.allowed-return-urls[0]", returnPage.base());
        system = RunningSystem.start("browser", 1, ShortTokenSettings.SANDBOX, settings);
        browser = HeadlessChromium.start();
    }

    @AfterAll
    void stopEverything() {
        try {
            if (system != null) {
                List<AppProcess> refresher = new ArrayList<>(system.workers());
                refresher.add(system.scheduler());
                assertThat(LeakScanner.leaksInLogs(system.apps().stream().map(AppProcess::log).toList(), List.of(
                        RunningSystem.CLIENT_SECRET))).as("log lines with a token").isEmpty();
                // the code is a secret too, for the scheduler and the workers (the sandbox issued it)
                assertThat(LeakScanner.leaksInLogs(refresher.stream().map(AppProcess::log).toList(), List.of(
                        "sbx_code_"))).as("log lines with an authorization code").isEmpty();
            }
        } finally {
            if (browser != null) {
                browser.close();
            }
            if (system != null) {
                system.close();
            }
            if (returnPage != null) {
                returnPage.close();
            }
        }
    }

    @Test
    void aUserWhoApprovesLandsOnTheReturnPageWithAnActiveConnectionThatTheWorkersRefresh() {
        String tenant = "tenant-browser-" + UUID.randomUUID();
        Instant connected = Instant.now();

        Map<String, String> back = approveInBrowser(createSession(tenant), "connect", null);

        assertThat(back).containsEntry("status", "ACTIVE").containsEntry("from", "browser").containsKeys(
                "connectSessionId", "connectionId").doesNotContainKeys("error", "code", "state");
        UUID connectionId = UUID.fromString(back.get("connectionId"));
        awaitRefreshedAfter(connectionId, connected);
        assertThat(system.connection(connectionId).get("tenantId").asString()).isEqualTo(tenant);
    }

    @Test
    void aUserWhoDeniesLandsOnTheReturnPageWithAccessDeniedAndNothingIsRegistered() {
        String tenant = "tenant-browser-" + UUID.randomUUID();
        browser.open(createSession(tenant).get("connectUrl").asString());
        browser.element("#deny");
        screenshot("deny-consent-page");

        browser.element("#deny").click();
        Map<String, String> back = landOnReturnPage("deny-return-page");

        assertThat(back).containsEntry("error", "access_denied").doesNotContainKey("connectionId");
        assertThat(JsonHttp.get(system.scheduler().url("/api/connections?tenantId=" + tenant)).body().get("items"))
                .isEmpty();
    }

    @Test
    void aCallbackOpenedAgainSendsTheUserBackWithStateReused() {
        browser.requestedUrls();
        assertThat(approveInBrowser(createSession("tenant-browser-" + UUID.randomUUID()), "replay", null))
                .containsEntry("status", "ACTIVE");
        // the provider's redirect to the callback, which the browser followed without showing it
        String callbackPrefix = system.schedulerBaseUrl() + "/connect/callback?";
        String callback = browser.requestedUrls().stream().filter(url -> url.startsWith(callbackPrefix)).reduce((
                first, second) -> second).orElseThrow(() -> new AssertionError("no request to " + callbackPrefix));

        // as a user going back or reloading would
        browser.open(callback);
        Map<String, String> replay = landOnReturnPage("replay-callback-again");

        assertThat(replay).containsEntry("error", "state_reused").containsKey("error_description")
                .doesNotContainKey("connectionId");
    }

    @Test
    void aLinkOpenedAfterTheSessionExpiredSendsTheUserBackWithSessionExpired() {
        JsonNode session = createSession("tenant-browser-" + UUID.randomUUID());
        // the ten minutes pass
        new StoredConnections(system.namespace()).execute("UPDATE connect_session SET expires_at = now() - interval "
                + "'1 second' WHERE id = '" + UUID.fromString(session.get("id").asString()) + "'");

        browser.open(session.get("connectUrl").asString());
        Map<String, String> back = landOnReturnPage("expired-return-page");

        assertThat(back).containsEntry("error", "session_expired").containsKey("error_description")
                .doesNotContainKey("connectionId");
    }

    @Test
    void aReconnectOfAConnectionThatNeedsReauthorizationKeepsItsIdAndItIsRefreshedAgain() {
        String tenant = "tenant-browser-" + UUID.randomUUID();
        UUID connectionId = UUID.fromString(approveInBrowser(createSession(tenant), "reconnect-first", null).get(
                "connectionId"));
        String realmId = JsonHttp.get(system.scheduler().url("/api/connections/" + connectionId + "/access-token"),
                JsonHttp.TOKEN_READER_KEY).body().get("realmId").asString();
        // the tenant disconnects the app at the provider: the worker's next refresh gets invalid_grant
        system.sandbox().revoke(realmId);
        await("the connection needs reauthorization").atMost(Duration.ofSeconds(30)).until(() -> system.connection(
                connectionId).get("status").asString().equals("REAUTH_REQUIRED"));

        JsonHttp.Response made = JsonHttp.post(system.scheduler().url("/api/connections/" + connectionId
                + "/reconnect-session"), Map.of("returnUrl", returnPage.url()));
        assertThat(made.status()).as("reconnect session: %s", made.body()).isEqualTo(201);
        Instant reconnected = Instant.now();
        Map<String, String> back = approveInBrowser(made.body(), "reconnect", realmId);

        assertThat(back).containsEntry("connectionId", connectionId.toString()).containsEntry("status", "ACTIVE");
        awaitRefreshedAfter(connectionId, reconnected);
    }

    private JsonNode createSession(String tenant) {
        JsonHttp.Response response = JsonHttp.post(system.scheduler().url("/api/connect-sessions"), Map.of("tenantId",
                tenant, "provider", RunningSystem.PROVIDER, "returnUrl", returnPage.url()));
        assertThat(response.status()).as("session made: %s", response.body()).isEqualTo(201);
        return response.body();
    }

    /**
     * The user opens the session's link, sees the consent page, approves (for the company {@code realmId}, typed in,
     * or a new one) and lands on the return page.
     */
    private Map<String, String> approveInBrowser(JsonNode session, String step, String realmId) {
        browser.open(session.get("connectUrl").asString());
        assertThat(browser.title()).startsWith("Sandbox provider");
        if (realmId != null) {
            browser.element("#company").clear();
            browser.element("#company").sendKeys(realmId);
        }
        browser.element("#approve");
        screenshot(step + "-consent-page");
        browser.element("#approve").click();
        return landOnReturnPage(step + "-return-page");
    }

    /** Waits for the return page, saves it, checks it holds no secret, and answers what the host app received. */
    private Map<String, String> landOnReturnPage(String step) {
        browser.awaitUrlStartingWith(returnPage.url());
        screenshot(step);
        Map<String, String> inAddress = ReturnPage.query(URI.create(browser.currentUrl()));
        assertThat(returnPage.lastVisit()).isEqualTo(inAddress);
        return inAddress;
    }

    private void screenshot(String step) {
        browser.screenshot("ConnectInBrowserIT-" + step);
        assertThat(SECRET.matcher(browser.currentUrl()).find()).as("a secret in %s", browser.currentUrl())
                .isFalse();
        assertThat(SECRET.matcher(browser.pageSource()).find()).as("a secret in the page at %s", browser
                .currentUrl()).isFalse();
    }

    /** A worker's refresh as recorded (not the exchange's tokens, stored without one), and the connection ACTIVE. */
    private void awaitRefreshedAfter(UUID connectionId, Instant after) {
        StoredConnections stored = new StoredConnections(system.namespace());
        await("a refresh of " + connectionId + " by a worker").atMost(Duration.ofSeconds(30)).until(() -> stored
                .refreshedAttemptsSince(after).stream().anyMatch(attempt -> attempt.connectionId().equals(
                        connectionId)));
        assertThat(system.connection(connectionId).get("status").asString()).isEqualTo("ACTIVE");
    }
}
