package dev.tokenrefresher.systemtests;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** The sandbox provider's control API, as the tests use it. */
final class Sandbox {

    private final AppProcess app;

    Sandbox(AppProcess app) {
        this.app = app;
    }

    /** What the sandbox issued for one connection: the tokens a user's consent would have produced. */
    record Minted(String realmId, String accessToken, String refreshToken, long expiresIn,
            long refreshTokenExpiresIn) {
    }

    /**
     * The sandbox's counters for one connection.
     *
     * @param accessTokenExpiresAt when the access token last issued expires, by the sandbox's (the machine's) clock
     * @param graceReuses refreshes granted to a replaced refresh token within the connection's reuse grace
     * @param inFlight token requests for this connection being answered right now
     */
    record Report(String realmId, long refreshes, long overlappingRefreshes, long invalidGrants,
            long refreshesAfterAccessExpiry, boolean revoked, String currentRefreshTokenSha256,
            Instant accessTokenExpiresAt, long graceReuses, int inFlight) {
    }

    String tokenUri() {
        return app.url("/oauth2/v1/tokens/bearer").toString();
    }

    /** The consent page, as Intuit's {@code https://appcenter.intuit.com/connect/oauth2}. */
    String authorizationUri() {
        return app.url("/connect/oauth2").toString();
    }

    List<Minted> mint(int count) {
        return mint("/sandbox/connections?count=" + count);
    }

    /**
     * Mints connections with a reuse grace of their own: a refresh token a rotation replaced stays usable that long
     * ({@code Duration.ZERO}: strict rotation, whatever the sandbox's default).
     */
    List<Minted> mint(int count, Duration reuseGrace) {
        return mint("/sandbox/connections?count=" + count + "&reuseGraceSeconds=" + reuseGrace.toSeconds());
    }

    private List<Minted> mint(String path) {
        JsonHttp.Response response = JsonHttp.post(app.url(path));
        require(response, 201);
        List<Minted> minted = new ArrayList<>();
        for (JsonNode node : response.body()) {
            minted.add(new Minted(node.get("realmId").asString(), node.get("accessToken").asString(),
                    node.get("refreshToken").asString(), node.get("expiresIn").asLong(),
                    node.get("xRefreshTokenExpiresIn")
                            .asLong()));
        }
        return minted;
    }

    void revoke(String realmId) {
        require(JsonHttp.post(app.url("/sandbox/connections/" + realmId + "/revoke")), 204);
    }

    Report report(String realmId) {
        JsonHttp.Response response = JsonHttp.get(app.url("/sandbox/connections/" + realmId));
        require(response, 200);
        return report(response.body());
    }

    Map<String, Report> reports() {
        JsonHttp.Response response = JsonHttp.get(app.url("/sandbox/connections"));
        require(response, 200);
        Map<String, Report> reports = new HashMap<>();
        for (JsonNode node : response.body()) {
            Report report = report(node);
            reports.put(report.realmId(), report);
        }
        return reports;
    }

    JsonNode stats() {
        JsonHttp.Response response = JsonHttp.get(app.url("/sandbox/stats"));
        require(response, 200);
        return response.body();
    }

    /** Granted refreshes so far: cheap to poll, unlike {@link #stats()}, which walks every connection. */
    long refreshes() {
        JsonHttp.Response response = JsonHttp.get(app.url("/sandbox/refreshes"));
        require(response, 200);
        return response.body().get("refreshes").asLong();
    }

    /** Switches faults of the token endpoint, e.g. {@code Map.of("errorRate", 0.25)}; unnamed ones stay as they are. */
    void faults(Map<String, Object> faults) {
        require(JsonHttp.put(app.url("/sandbox/faults"), faults), 200);
    }

    /** Every fault off: random and timed faults, odd answers and pending faults after rotation. */
    void clearFaults() {
        require(JsonHttp.delete(app.url("/sandbox/faults")), 200);
    }

    /**
     * Holds the granted answers of one connection {@code delay} after the rotation ({@code answerDelayMillis} for this
     * connection only); {@code null} makes it follow the run-time setting again.
     */
    void answerDelay(String realmId, Duration delay) {
        Map<String, Object> body = new HashMap<>();
        body.put("millis", delay == null ? null : delay.toMillis());
        require(JsonHttp.put(app.url("/sandbox/connections/" + realmId + "/answer-delay"), body), 200);
    }

    /** Changes the sandbox's run-time settings, e.g. {@code Map.of("latencyMillis", 3000)}; unnamed ones stay. */
    void settings(Map<String, Object> settings) {
        require(JsonHttp.put(app.url("/sandbox/settings"), settings), 200);
    }

    /** The next successful refreshes, one per shape (e.g. {@code EXPIRES_IN_TEXT}), rotate and answer oddly. */
    void oddAnswers(List<String> shapes) {
        require(JsonHttp.post(app.url("/sandbox/faults/odd-answers"), Map.of("shapes", shapes)), 200);
    }

    /**
     * The next {@code calls} granted refreshes of the connection with {@code realmId} rotate and then lose their answer:
     * {@code kind} is {@code reset}, {@code server_error}, {@code truncated} or {@code stall} (with {@code stallMillis}).
     */
    void afterRotation(String realmId, String kind, int calls, Long stallMillis) {
        Map<String, Object> fault = new HashMap<>(Map.of("kind", kind, "calls", calls, "realmId", realmId));
        if (stallMillis != null) {
            fault.put("stallMillis", stallMillis);
        }
        require(JsonHttp.post(app.url("/sandbox/faults/after-rotation"), fault), 200);
    }

    /** Refreshes granted to a replaced refresh token within the connection's reuse grace. */
    long graceReuses(String realmId) {
        JsonHttp.Response response = JsonHttp.get(app.url("/sandbox/connections/" + realmId));
        require(response, 200);
        return response.body().get("graceReuses").asLong();
    }

    /** The next {@code requests} token requests fail with {@code status}, saying {@code Retry-After}. */
    void failNext(int requests, int status, Duration retryAfter) {
        require(JsonHttp.post(app.url("/sandbox/faults/next"), Map.of("requests", requests, "status", status,
                "retryAfterSeconds", retryAfter.toSeconds())), 200);
    }

    /**
     * The next {@code requests} token requests are held: their 200 headers go out at once, their body (an OAuth2 error,
     * no token) after {@code stall}. The sandbox counts a held request as in flight for its connection and serves
     * nothing for it: a request with the same refresh token meanwhile is an overlap.
     */
    void stallNext(int requests, Duration stall) {
        require(JsonHttp.post(app.url("/sandbox/faults/next"), Map.of("requests", requests, "stallBodyMillis", stall
                .toMillis())), 200);
    }

    /** Every token request fails with 503 for the next {@code seconds}. */
    void outage(int seconds) {
        JsonHttp.Response response = JsonHttp.post(app.url("/sandbox/faults/outage"), Map.of("seconds", seconds));
        if (response.status() / 100 != 2) {
            throw new IllegalStateException("sandbox answered " + response.status() + ": " + response.body());
        }
    }

    /** Whether no outage window is active at the token endpoint. */
    boolean outageOver() {
        JsonHttp.Response response = JsonHttp.get(app.url("/sandbox/faults"));
        require(response, 200);
        return response.body().path("outage").isNull() || response.body().path("outage").isMissingNode();
    }

    private static Report report(JsonNode node) {
        return new Report(node.get("realmId").asString(), node.get("refreshes").asLong(),
                node.get("overlappingRefreshes").asLong(), node.get("invalidGrants").asLong(),
                node.get("refreshesAfterAccessExpiry").asLong(), node.get("revoked").asBoolean(),
                node.get("currentRefreshTokenSha256").asString(), Instant.parse(node.get("accessTokenExpiresAt")
                        .asString()),
                node.get("graceReuses").asLong(), node.get("inFlight").asInt());
    }

    private static void require(JsonHttp.Response response, int status) {
        if (response.status() != status) {
            throw new IllegalStateException("sandbox answered " + response.status() + ": " + response.body());
        }
    }
}
