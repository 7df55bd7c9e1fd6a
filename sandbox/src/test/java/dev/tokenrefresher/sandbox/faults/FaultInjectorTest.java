package dev.tokenrefresher.sandbox.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tokenrefresher.sandbox.MutableClock;
import dev.tokenrefresher.sandbox.settings.RuntimeSettings;
import dev.tokenrefresher.sandbox.settings.SandboxProperties;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import tools.jackson.databind.ObjectMapper;

class FaultInjectorTest {

    private static final Duration LATENCY = Duration.ofMillis(100);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
    private final RuntimeSettings runtimeSettings = new RuntimeSettings(
            new SandboxProperties(null, null, null, null, null, 1, LATENCY));

    /** A fault injector started with the given {@code sandbox.faults.*} properties. */
    private FaultInjector injector(Map<String, String> properties) {
        return new FaultInjector(FaultPropertiesTest.bind(properties), runtimeSettings, clock);
    }

    private static FaultChange change(String json) {
        return JSON.readValue(json, FaultChange.class);
    }

    private static List<FaultDecision> decisions(FaultInjector faults, int count) {
        return IntStream.range(0, count).mapToObj(i -> faults.decide()).toList();
    }

    private static InjectedFault injected(FaultDecision decision) {
        assertThat(decision).isInstanceOf(FaultDecision.Inject.class);
        return ((FaultDecision.Inject) decision).fault();
    }

    @Nested
    class Rates {

        @Test
        void nothingConfiguredLetsEveryRequestThroughAfterTheConfiguredLatency() {
            FaultInjector faults = injector(Map.of());

            assertThat(decisions(faults, 1000)).containsOnly(new FaultDecision.Proceed(LATENCY));
        }

        @Test
        void ratesOfZeroNeverInjectAFault() {
            FaultInjector faults = injector(Map.of("sandbox.faults.error-rate", "0", "sandbox.faults.rate-limit-rate",
                    "0.0", "sandbox.faults.hang-rate", "0", "sandbox.faults.seed", "1"));

            assertThat(decisions(faults, 10_000)).containsOnly(new FaultDecision.Proceed(LATENCY));
        }

        @Test
        void errorRateOfOneAnswersEveryRequestWithAStatusDrawnFromTheList() {
            FaultInjector faults = injector(Map.of("sandbox.faults.error-rate", "1", "sandbox.faults.error-statuses",
                    "500,502,503", "sandbox.faults.seed", "42"));

            List<InjectedFault> injected = decisions(faults, 300).stream().map(FaultInjectorTest::injected).toList();

            assertThat(injected).extracting(InjectedFault::kind).containsOnly(FaultKind.ERROR);
            assertThat(injected).extracting(InjectedFault::status).containsOnly(500, 502, 503);
        }

        @Test
        void rateLimitRateOfOneAnswersEveryRequest429WithRetryAfter() {
            FaultInjector faults = injector(
                    Map.of("sandbox.faults.rate-limit-rate", "1.0", "sandbox.faults.retry-after", "7"));

            assertThat(decisions(faults, 100)).containsOnly(new FaultDecision.Inject(LATENCY,
                    new InjectedFault(FaultKind.RATE_LIMITED, 429, Map.of("Retry-After", "7"),
                            MediaType.APPLICATION_JSON, "{\"error\":\"rate_limited\"}")));
        }

        @Test
        void hangRateOfOneHoldsEveryRequestForTheHangDurationThenAnswers504() {
            FaultInjector faults = injector(
                    Map.of("sandbox.faults.hang-rate", "1", "sandbox.faults.hang-duration", "2s"));

            FaultDecision decision = faults.decide();

            assertThat(decision.delay()).isEqualTo(Duration.ofSeconds(2));
            assertThat(injected(decision).kind()).isEqualTo(FaultKind.HANG);
            assertThat(injected(decision).status()).isEqualTo(504);
            assertThat(injected(decision).body()).contains("504 Gateway Timeout");
        }

        @Test
        void oneDrawSplitsTheRequestsBetweenTheFaultsByTheirRates() {
            FaultInjector faults = injector(Map.of("sandbox.faults.rate-limit-rate", "0.2",
                    "sandbox.faults.error-rate", "0.3", "sandbox.faults.hang-rate", "0.1", "sandbox.faults.seed", "7"));

            Map<String, Long> shares = decisions(faults, 20_000).stream()
                    .collect(Collectors.groupingBy(
                            decision -> decision instanceof FaultDecision.Inject inject
                                    ? inject.fault().kind().name()
                                    : "none",
                            Collectors.counting()));

            assertThat(shares.get("RATE_LIMITED") / 20_000.0).isCloseTo(0.2, within(0.02));
            assertThat(shares.get("ERROR") / 20_000.0).isCloseTo(0.3, within(0.02));
            assertThat(shares.get("HANG") / 20_000.0).isCloseTo(0.1, within(0.02));
            assertThat(shares.get("none") / 20_000.0).isCloseTo(0.4, within(0.02));
        }
    }

    @Nested
    class Seed {

        @Test
        void sameSeedDrawsTheSameFaultsAndLatencies() {
            Map<String, String> properties = Map.of("sandbox.faults.error-rate", "0.5", "sandbox.faults.latency-max",
                    "300ms", "sandbox.faults.seed", "42");

            assertThat(decisions(injector(properties), 200)).isEqualTo(decisions(injector(properties), 200));
        }

        @Test
        void settingTheSeedAgainRestartsTheDraws() {
            FaultInjector faults = injector(Map.of("sandbox.faults.error-rate", "0.5"));
            faults.change(change("{\"seed\":9}"));
            List<FaultDecision> first = decisions(faults, 50);

            faults.change(change("{\"seed\":9}"));

            assertThat(decisions(faults, 50)).isEqualTo(first);
            assertThat(first).hasAtLeastOneElementOfType(FaultDecision.Inject.class)
                    .hasAtLeastOneElementOfType(FaultDecision.Proceed.class);
        }
    }

    @Nested
    class Latency {

        @Test
        void latencyMaxAboveTheLatencyDrawsEachRequestsLatencyUniformlyBetweenThem() {
            FaultInjector faults = injector(
                    Map.of("sandbox.faults.latency-max", "300ms", "sandbox.faults.seed", "3"));

            List<Long> millis = decisions(faults, 5000).stream().map(decision -> decision.delay().toMillis()).toList();

            assertThat(millis).allSatisfy(ms -> assertThat(ms).isBetween(100L, 300L));
            assertThat(millis).contains(100L, 300L);
            assertThat(millis.stream().mapToLong(Long::longValue).average().orElseThrow()).isCloseTo(200,
                    within(5.0));
        }

        @Test
        void latencyMaxNotAboveTheLatencyKeepsTheLatencyFixed() {
            FaultInjector faults = injector(Map.of("sandbox.faults.latency-max", "100ms"));

            assertThat(decisions(faults, 100)).containsOnly(new FaultDecision.Proceed(LATENCY));
        }

        @Test
        void injectedErrorsComeAfterTheLatencyToo() {
            FaultInjector faults = injector(Map.of("sandbox.faults.error-rate", "1"));

            assertThat(faults.decide().delay()).isEqualTo(LATENCY);
        }
    }

    @Nested
    class Outages {

        @Test
        void outageAnswersEveryRequestWithItsStatusUntilTheClockReachesItsEnd() {
            FaultInjector faults = injector(Map.of());

            Outage outage = faults.startOutage(Duration.ofSeconds(25), 503);
            List<FaultDecision> during = decisions(faults, 5);
            clock.advance(Duration.ofSeconds(25).minusMillis(1));
            FaultDecision lastMoment = faults.decide();
            clock.advance(Duration.ofMillis(1));

            assertThat(outage.endsAt()).isEqualTo(Instant.parse("2025-01-01T00:00:25Z"));
            assertThat(during).allSatisfy(decision -> {
                assertThat(injected(decision).kind()).isEqualTo(FaultKind.OUTAGE);
                assertThat(injected(decision).status()).isEqualTo(503);
            });
            assertThat(injected(lastMoment).kind()).isEqualTo(FaultKind.OUTAGE);
            assertThat(faults.decide()).isEqualTo(new FaultDecision.Proceed(LATENCY));
            assertThat(faults.outage()).isEmpty();
        }

        @Test
        void outageEndedEarlyLetsRequestsThroughAtOnce() {
            FaultInjector faults = injector(Map.of());
            faults.startOutage(Duration.ofSeconds(25), 502);
            assertThat(faults.outage()).isPresent();

            faults.endOutage();

            assertThat(faults.decide()).isEqualTo(new FaultDecision.Proceed(LATENCY));
            assertThat(faults.outage()).isEmpty();
        }

        @Test
        void outageStatusOutsideFourHundredToFiveNinetyNineIsRefusedNamingIt() {
            FaultInjector faults = injector(Map.of());

            assertThatThrownBy(() -> faults.startOutage(Duration.ofSeconds(5), 200))
                    .isInstanceOf(InvalidFaultSetting.class)
                    .hasMessage("status must be between 400 and 599, was 200");
            assertThat(faults.outage()).isEmpty();
        }
    }

    @Nested
    class InvalidClient {

        @Test
        void invalidClientAnswersEveryRequest401UntilSwitchedOff() {
            FaultInjector faults = injector(Map.of("sandbox.faults.invalid-client", "true"));

            List<FaultDecision> switchedOn = decisions(faults, 10);
            faults.change(change("{\"invalidClient\":false}"));

            assertThat(switchedOn).containsOnly(new FaultDecision.Inject(LATENCY,
                    new InjectedFault(FaultKind.INVALID_CLIENT, 401,
                            Map.of("WWW-Authenticate", "Basic realm=\"sandbox\""), MediaType.APPLICATION_JSON,
                            "{\"error\":\"invalid_client\"}")));
            assertThat(faults.decide()).isEqualTo(new FaultDecision.Proceed(LATENCY));
        }

        @Test
        void outageWinsOverInvalidClientWhichWinsOverTheRandomFaults() {
            FaultInjector faults = injector(
                    Map.of("sandbox.faults.invalid-client", "true", "sandbox.faults.error-rate", "1"));

            FaultKind withoutOutage = injected(faults.decide()).kind();
            faults.startOutage(Duration.ofSeconds(10), 503);

            assertThat(withoutOutage).isEqualTo(FaultKind.INVALID_CLIENT);
            assertThat(injected(faults.decide()).kind()).isEqualTo(FaultKind.OUTAGE);
        }
    }

    @Nested
    class Changes {

        @Test
        void changeKeepsEveryFieldGivenAsNullOrLeftOut() {
            FaultInjector faults = injector(Map.of("sandbox.faults.error-rate", "0.5", "sandbox.faults.seed", "5"));

            FaultSettings changed = faults.change(change("{\"hangRate\":0.25,\"errorStatuses\":[429],\"seed\":null}"));

            assertThat(changed).isEqualTo(new FaultSettings(0, 0.5, List.of(429), 0.0, 1, 0.25, 30_000, false, 5L));
            assertThat(faults.settings()).isEqualTo(changed);
        }

        @Test
        void outOfRangeValueIsRefusedNamingTheFieldAndChangesNothing() {
            FaultInjector faults = injector(Map.of());
            FaultSettings before = faults.settings();
            Map<String, String> refusals = Map.of(
                    "{\"errorRate\":1.5}", "errorRate must be between 0.0 and 1.0, was 1.5",
                    "{\"rateLimitRate\":-0.1}", "rateLimitRate must be between 0.0 and 1.0, was -0.1",
                    "{\"errorStatuses\":[500,600]}", "errorStatuses must be between 400 and 599, was 600",
                    "{\"errorStatuses\":[]}", "errorStatuses must name at least one status",
                    "{\"hangMillis\":-1}", "hangMillis must be between 0 and 86400000, was -1",
                    "{\"retryAfterSeconds\":-1}", "retryAfterSeconds must be zero or positive, was -1",
                    "{\"errorRate\":0.6,\"hangRate\":0.5}",
                    "errorRate + rateLimitRate + hangRate must not exceed 1.0, was 1.1 (0.6 + 0.0 + 0.5)");

            refusals.forEach((json, message) -> assertThatThrownBy(() -> faults.change(change(json))).as(json)
                    .isInstanceOf(InvalidFaultSetting.class)
                    .hasMessage(message));
            assertThat(faults.settings()).isEqualTo(before);
        }

        @Test
        void ratesAddingUpToExactlyOneAreAccepted() {
            FaultInjector faults = injector(Map.of());

            faults.change(change("{\"errorRate\":0.1,\"rateLimitRate\":0.2,\"hangRate\":0.7}"));

            assertThat(faults.settings().hangRate()).isEqualTo(0.7);
        }

        @Test
        void clearSwitchesEveryFaultOffButKeepsTheSeedAndRestartsItsDraws() {
            FaultInjector faults = injector(Map.of("sandbox.faults.error-rate", "0.5", "sandbox.faults.seed", "11",
                    "sandbox.faults.invalid-client", "true", "sandbox.faults.error-statuses", "418"));
            faults.startOutage(Duration.ofSeconds(60), 503);

            FaultSettings cleared = faults.clear();
            List<FaultDecision> afterClear = decisions(faults, 3);
            faults.change(change("{\"errorRate\":0.5}"));
            List<FaultDecision> sameAsAtStart = decisions(faults, 40);

            assertThat(cleared).isEqualTo(FaultSettings.none(11L));
            assertThat(cleared.errorStatuses()).containsExactly(500, 502, 503);
            assertThat(afterClear).containsOnly(new FaultDecision.Proceed(LATENCY));
            assertThat(faults.outage()).isEmpty();
            assertThat(sameAsAtStart).isEqualTo(decisions(injector(Map.of("sandbox.faults.error-rate", "0.5",
                    "sandbox.faults.seed", "11")), 40));
        }
    }

    @Nested
    class Bodies {

        @Test
        void gatewayStatusesComeAsAnHtmlPageAndOthersAsJson() {
            Function<Integer, InjectedFault> error = InjectedFault::error;

            assertThat(error.apply(502).contentType()).isEqualTo(MediaType.TEXT_HTML);
            assertThat(error.apply(502).body()).contains("<title>502 Bad Gateway</title>");
            assertThat(error.apply(503).body()).contains("503 Service Unavailable");
            assertThat(error.apply(500).contentType()).isEqualTo(MediaType.APPLICATION_JSON);
            assertThat(error.apply(500).body()).isEqualTo("{\"message\":\"Internal Server Error\"}");
            assertThat(error.apply(599).body()).isEqualTo("{\"message\":\"Error\"}");
            assertThat(InjectedFault.outage(503).body()).isEqualTo(error.apply(503).body());
        }
    }
}
