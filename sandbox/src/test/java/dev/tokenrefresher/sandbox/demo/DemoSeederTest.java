package dev.tokenrefresher.sandbox.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tokenrefresher.sandbox.demo.RecordingScheduler.Answer;
import dev.tokenrefresher.sandbox.token.ConnectionMinter;
import dev.tokenrefresher.sandbox.token.MintedConnection;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * Runs the seeder on the test's thread against a real HTTP server. The minter hands out made-up connections: the
 * registration does not care where the tokens come from, and the full way through the sandbox is
 * {@link DemoSwitchTest}'s.
 */
@ExtendWith(OutputCaptureExtension.class)
class DemoSeederTest {

    private static final Instant MINTED_AT = Instant.parse("2026-11-28T21:00:00Z");

    private final AtomicInteger minted = new AtomicInteger();
    private final ConnectionMinter minter = count -> IntStream.range(0, count).mapToObj(i -> {
        int n = minted.incrementAndGet();
        return new MintedConnection("913000000000%04d".formatted(n), "sbx_at_access" + n, "sbx_rt_refresh" + n,
                "bearer", 3600, 8_640_000, MINTED_AT);
    }).toList();

    private RecordingScheduler scheduler;

    @AfterEach
    void stopScheduler() {
        if (scheduler != null) {
            scheduler.close();
        }
    }

    private DemoSeeder seeder(int connections, Duration schedulerWait, IntFunction<Answer> answers) {
        scheduler = new RecordingScheduler(answers);
        return new DemoSeeder(new DemoProperties(connections, scheduler.registerUrl(), null, null, schedulerWait,
                Map.of("x-api-key", "demo-key")), minter);
    }

    @Test
    void rejectionStopsTheRunAtOnceWithoutRetryAndLogsTheDetailButNoToken(CapturedOutput output) {
        DemoSeeder seeder = seeder(5, Duration.ofSeconds(30), n -> n < 3
                ? Answer.created()
                : Answer.problem(422, "provider quickbooks is not configured; refresh token sbx_rt_refresh3 kept"));

        seeder.seed();

        assertThat(scheduler.requests()).hasSize(3);
        assertThat(seeder.status()).isEqualTo(new DemoStatus(5, 2, 1, DemoState.FAILED));
        assertThat(output).contains("answered 422 for demo-tenant-0003: provider quickbooks is not configured")
                .doesNotContain("sbx_rt_refresh3")
                .doesNotContain("sbx_at_access")
                .doesNotContain("demo-key");
    }

    @Test
    void rejectionOfTheFirstRegistrationIsNotRetriedEither() {
        DemoSeeder seeder = seeder(5, Duration.ofSeconds(30), n -> Answer.problem(401, "API key missing"));

        seeder.seed();

        assertThat(scheduler.requests()).hasSize(1);
        assertThat(seeder.status()).isEqualTo(new DemoStatus(5, 0, 1, DemoState.FAILED));
    }

    @Test
    void schedulerThatStays5xxIsGivenUpOnceSchedulerWaitHasPassed(CapturedOutput output) {
        Duration schedulerWait = Duration.ofMillis(600);
        DemoSeeder seeder = seeder(5, schedulerWait, n -> Answer.problem(503, "starting"));
        long started = System.nanoTime();

        seeder.seed();

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(schedulerWait);
        assertThat(scheduler.requests()).hasSizeGreaterThan(1)
                .allSatisfy(request -> assertThat(request.body().get("tenantId").asString())
                        .isEqualTo("demo-tenant-0001"));
        assertThat(seeder.status()).isEqualTo(new DemoStatus(5, 0, 1, DemoState.FAILED));
        assertThat(output).contains("Gave up registering demo connections").contains("answered 503: starting");
    }

    @Test
    void laterServerErrorFailsThatConnectionOnlyAndTheRunGoesOn() {
        DemoSeeder seeder = seeder(4, Duration.ofSeconds(30), n -> n == 2
                ? Answer.problem(500, "database hiccup")
                : Answer.created());

        seeder.seed();

        assertThat(scheduler.requests()).extracting(request -> request.body().get("tenantId").asString())
                .containsExactly("demo-tenant-0001", "demo-tenant-0002", "demo-tenant-0003", "demo-tenant-0004");
        assertThat(seeder.status()).isEqualTo(new DemoStatus(4, 3, 1, DemoState.FAILED));
    }

    @Test
    void connectionBrokenWithoutAnAnswerIsSentOnceMoreAtOnce() {
        DemoSeeder seeder = seeder(3, Duration.ofSeconds(30), n -> n == 2
                ? Answer.dropConnection()
                : Answer.created());

        seeder.seed();

        assertThat(scheduler.requests()).extracting(request -> request.body().get("tenantId").asString())
                .containsExactly("demo-tenant-0001", "demo-tenant-0002", "demo-tenant-0002", "demo-tenant-0003");
        assertThat(seeder.status()).isEqualTo(new DemoStatus(3, 3, 0, DemoState.DONE));
    }

    @Test
    void reRegistrationAnswered200CountsAsRegistered() {
        DemoSeeder seeder = seeder(3, Duration.ofSeconds(30), n -> new Answer(200, "{}"));

        seeder.seed();

        assertThat(seeder.status()).isEqualTo(new DemoStatus(3, 3, 0, DemoState.DONE));
    }

    @Test
    void everyRequestCarriesTheConfiguredHeadersAndJson() {
        DemoSeeder seeder = seeder(2, Duration.ofSeconds(30), n -> Answer.created());

        seeder.seed();

        assertThat(scheduler.requests()).hasSize(2).allSatisfy(request -> {
            assertThat(request.headers().getFirst("X-Api-Key")).isEqualTo("demo-key");
            assertThat(request.headers().getFirst("Content-Type")).isEqualTo("application/json");
        });
    }

    @Test
    void shutdownStopsARunStillWaitingForTheScheduler() {
        DemoSeeder seeder = seeder(5, Duration.ofMinutes(10), n -> Answer.problem(503, "starting"));

        seeder.startAfterStartUp();
        await().atMost(Duration.ofSeconds(10)).until(() -> scheduler.requests().size() >= 2);
        seeder.stop();

        await().atMost(Duration.ofSeconds(10)).until(() -> seeder.status().state() == DemoState.FAILED);
        assertThat(seeder.status()).isEqualTo(new DemoStatus(5, 0, 0, DemoState.FAILED));
    }

    @Test
    void tenantIdsArePaddedToFourDigitsOrMoreWhenMoreAreNeeded() {
        DemoSeeder hundreds = new DemoSeeder(
                new DemoProperties(300, URI.create("http://127.0.0.1:1/"), null, null, null, null), minter);
        DemoSeeder tenThousands = new DemoSeeder(
                new DemoProperties(12_000, URI.create("http://127.0.0.1:1/"), null, "t", null, null), minter);

        assertThat(List.of(hundreds.tenantId(1), hundreds.tenantId(300))).containsExactly("demo-tenant-0001",
                "demo-tenant-0300");
        assertThat(List.of(tenThousands.tenantId(7), tenThousands.tenantId(12_000))).containsExactly("t00007",
                "t12000");
    }

    @Test
    void switchedOffSeederReportsOff() {
        assertThat(new DemoSeeder(DemoProperties.off(), minter).status())
                .isEqualTo(new DemoStatus(0, 0, 0, DemoState.OFF));
    }
}
