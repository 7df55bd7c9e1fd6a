package dev.tokenrefresher.worker;

import static dev.tokenrefresher.common.test.NewConnectionBuilder.aConnection;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.tokenrefresher.common.connection.ConnectionStore;
import dev.tokenrefresher.common.connection.Registered;
import dev.tokenrefresher.common.messaging.RefreshMessage;
import dev.tokenrefresher.common.messaging.RefreshPublisher;
import dev.tokenrefresher.common.messaging.RefresherTopology;
import dev.tokenrefresher.common.test.ServicesTestBase;
import dev.tokenrefresher.common.test.TestServices;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.micrometer.metrics.test.autoconfigure.AutoConfigureMetrics;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The worker on a random port against the real PostgreSQL and RabbitMQ, with a provider whose token endpoint answers
 * only when the test lets it: what {@code /actuator/prometheus} shows before anything happened, and while deliveries
 * are held inside the worker.
 */
@AutoConfigureMetrics
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "refresher.providers.quickbooks.client-id=test-client",
        "refresher.providers.quickbooks.client-secret=test-secret",
        // one consumer with batches of 2 and the default prefetch of 100: most of a backlog waits in its buffer
        "refresher.providers.quickbooks.concurrency=2",
        "refresher.providers.quickbooks.request-timeout=15s",
        // the worst case between claim and store with that timeout: 3 x (1 + 5 + 15) + 2 x 2 + 60 + 2 + 1 s
        "refresher.worker.lease=130s",
        "refresher.worker.id=metrics-test-worker"})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WorkerMetricsTest extends ServicesTestBase {

    private static final String PROVIDER = "quickbooks";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** The provider's token endpoint: holds every request until {@link #ANSWER} opens. */
    private static final HttpServer TOKEN_ENDPOINT = tokenEndpoint();
    private static final CountDownLatch ANSWER = new CountDownLatch(1);
    private static final AtomicInteger REQUESTS = new AtomicInteger();

    static {
        TestServices.get().deleteQueuesAtExit(List.of(PROVIDER));
    }

    @LocalServerPort
    private int port;
    @Autowired
    private ConnectionStore store;
    @Autowired
    private RefreshPublisher publisher;
    @Autowired
    private RefresherTopology topology;
    @Autowired
    private AmqpAdmin admin;

    @DynamicPropertySource
    static void provider(DynamicPropertyRegistry registry) {
        registry.add("refresher.providers.quickbooks.token-uri", () -> "http://127.0.0.1:" + TOKEN_ENDPOINT
                .getAddress().getPort() + "/oauth2/v1/tokens/bearer");
    }

    @AfterAll
    static void stopTokenEndpoint() {
        ANSWER.countDown();
        TOKEN_ENDPOINT.stop(0);
    }

    @Test
    @Order(1)
    void everyCounterIsExportedAtZeroBeforeAnyRefreshOrDeadLetter() {
        String metrics = prometheus();

        for (String outcome : List.of("refreshed", "superseded", "reauth_required", "rejected",
                "transient_failure")) {
            assertThat(value(metrics, "refresher_refreshes_total", "outcome=\"" + outcome + "\"")).isZero();
        }
        for (String reason : List.of("invalid_grant", "refresh_token_expired", "invalid_client", "retries_exhausted",
                "malformed", "unknown_connection")) {
            assertThat(value(metrics, "refresher_dead_letters_total", "reason=\"" + reason + "\"")).isZero();
        }
        for (String reason : List.of("stale_fence", "not_active", "leased", "early", "circuit_open")) {
            assertThat(value(metrics, "refresher_messages_dropped_total", "reason=\"" + reason + "\"")).isZero();
        }
        assertThat(value(metrics, "refresher_provider_latency_seconds_count", "")).isZero();
        assertThat(value(metrics, "refresher_refresh_after_expiry_total", "")).isZero();
        assertThat(value(metrics, "refresher_queue_unacknowledged", "queue=\"" + topology.workQueue(PROVIDER)
                + "\"")).isZero();
    }

    @Test
    @Order(2)
    void deliveriesHeldUnacknowledgedByTheWorkerAreCountedWhileTheQueueHasNoneReady() {
        int messages = 5;
        Instant now = Instant.now();
        for (int i = 0; i < messages; i++) {
            Registered connection = store.register(aConnection().provider(PROVIDER).at(now.minus(Duration.ofHours(
                    1))).build(), now);
            publisher.publish(PROVIDER, new RefreshMessage(connection.id(), connection.fence(), now, 0), now);
        }
        String queue = "queue=\"" + topology.workQueue(PROVIDER) + "\"";

        // two in the batch waiting for the provider, three in the consumer's prefetch buffer
        await().atMost(Duration.ofSeconds(10)).until(() -> REQUESTS.get() == 2 && value(prometheus(),
                "refresher_queue_unacknowledged", queue) == messages);
        assertThat(admin.getQueueInfo(topology.workQueue(PROVIDER)).getMessageCount()).as(
                "ready in the queue, all the broker tells an AMQP client").isZero();

        ANSWER.countDown();
        await().atMost(Duration.ofSeconds(20)).until(() -> value(prometheus(), "refresher_refreshes_total",
                "outcome=\"refreshed\"") == messages);
        await().atMost(Duration.ofSeconds(10)).until(() -> value(prometheus(), "refresher_queue_unacknowledged",
                queue) == 0);
    }

    private String prometheus() {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/actuator/prometheus")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The value of the provider's one series of {@code name} with {@code label}; fails if there is none. */
    private static double value(String exposition, String name, String label) {
        List<String> lines = exposition.lines()
                .filter(line -> line.startsWith(name + "{") && line.contains(label) && line.contains("provider=\""
                        + PROVIDER + "\""))
                .toList();
        assertThat(lines).as("%s{%s} in\n%s", name, label, exposition).hasSize(1);
        return Double.parseDouble(lines.getFirst().substring(lines.getFirst().lastIndexOf(' ') + 1));
    }

    private static HttpServer tokenEndpoint() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.createContext("/", exchange -> {
                REQUESTS.incrementAndGet();
                try {
                    ANSWER.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                byte[] body = """
                        {"access_token":"at-%d","refresh_token":"rt-%d","token_type":"bearer","expires_in":3600}"""
                        .formatted(System.nanoTime(), System.nanoTime()).getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
