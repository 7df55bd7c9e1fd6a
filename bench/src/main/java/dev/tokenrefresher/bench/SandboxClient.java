package dev.tokenrefresher.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** The sandbox provider's control API: mint connections, read its counters, switch its tail faults. */
final class SandboxClient {

    /** The most the sandbox mints in one call. */
    private static final int MINT_CHUNK = 10_000;

    /** A connection as the provider issued it. */
    record Minted(String realmId, String accessToken, String refreshToken) {

        @Override
        public String toString() {
            return "Minted[realmId=" + realmId + "]";
        }
    }

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private final URI base;

    SandboxClient(URI base) {
        this.base = base;
    }

    List<Minted> mint(int count) {
        List<Minted> minted = new ArrayList<>(count);
        while (minted.size() < count) {
            int chunk = Math.min(MINT_CHUNK, count - minted.size());
            for (JsonNode node : send(HttpRequest.newBuilder(base.resolve("/sandbox/connections?count=" + chunk))
                    .POST(HttpRequest.BodyPublishers.noBody()))) {
                minted.add(new Minted(node.get("realmId").asString(), node.get("accessToken").asString(), node.get(
                        "refreshToken").asString()));
            }
        }
        return minted;
    }

    JsonNode stats() {
        return send(HttpRequest.newBuilder(base.resolve("/sandbox/stats")).GET());
    }

    /** Sets the lifetime of the access tokens the sandbox issues from now on. */
    void accessTokenLifetime(Duration lifetime) {
        send(HttpRequest.newBuilder(base.resolve("/sandbox/settings")).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"accessTokenLifetimeSeconds\":" + lifetime.toSeconds()
                        + "}")));
    }

    /** Switches the sandbox's tail faults on ({@code PUT /sandbox/faults/tail}); the counts as they were then. */
    TailGroups tail(String body) {
        return TailGroups.of(send(HttpRequest.newBuilder(base.resolve("/sandbox/faults/tail")).header("Content-Type",
                "application/json").PUT(HttpRequest.BodyPublishers.ofString(body))));
    }

    /** Switches the tail faults off (every connection is one of the others then). */
    void tailOff() {
        send(HttpRequest.newBuilder(base.resolve("/sandbox/faults/tail")).DELETE());
    }

    /** The tail groups' counts: they walk every connection, so read them before and after a run, never poll them. */
    TailGroups tailGroups() {
        return TailGroups.of(send(HttpRequest.newBuilder(base.resolve("/sandbox/faults/tail")).GET()));
    }

    /**
     * Refreshes the sandbox granted: polled several times a second while a run is measured, so it asks for the one
     * counter, not the stats (which walk every connection, in the sandbox whose CPU is measured).
     */
    long refreshes() {
        return send(HttpRequest.newBuilder(base.resolve("/sandbox/refreshes")).GET()).get("refreshes").asLong();
    }

    private JsonNode send(HttpRequest.Builder request) {
        try {
            HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() >= 300) {
                throw new IllegalStateException("sandbox answered " + response.statusCode());
            }
            return json.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException("sandbox unreachable", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
