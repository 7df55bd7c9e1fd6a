package dev.tokenrefresher.bench;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * The tail-latency scenario (issue 19): at the steady state's load, a share of the provider's calls hang or answer
 * slowly, and the lateness of the <em>other</em> connections is measured, for the workers and for the pooled sweep.
 *
 * @param cases the tails, each run against the workers and then the pooled sweep (default none, quick
 *            {@link #QUICK_CASES}, {@code --tail-only} {@link #DEFAULT_CASES}); empty skips the scenario
 * @param requestTimeout the provider's request timeout in this scenario, the workers' and the sweep's, and how long a
 *            hung call is held (default {@link #DEFAULT_REQUEST_TIMEOUT}, quick {@link #QUICK_REQUEST_TIMEOUT})
 * @param duration how long each run is measured with the tail on, after an unmeasured cycle without it (default
 *            {@link #DEFAULT_DURATION}, quick {@link #QUICK_DURATION})
 * @param only whether the benchmark runs this scenario alone ({@code --tail-only}; its report then defaults to
 *            {@code docs/benchmarks-tail.md}, quick {@code bench/target/benchmarks-tail.md})
 */
record TailSettings(List<TailCase> cases, Duration requestTimeout, Duration duration, boolean only) {

    /** Issue 19's two conditions: 10 % of calls hanging; 1 % hanging and 10 % taking 2-5 s. */
    static final String DEFAULT_CASES = "hang10,hang1-slow10";
    /**
     * One tail takes quick mode about two and a half minutes (fresh workers, an unmeasured cycle and the window for
     * them, the same for the sweep): both would add more than CI's budget of four.
     */
    static final String QUICK_CASES = "hang10";
    /** The providers' default request timeout (ProviderSettings): a hung call holds a refresh that long. */
    static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
    /**
     * The quick steady state's lead time is 10 s: a hung call plus its retry must fit in it, or the hanging connections
     * themselves would expire however well the others fare.
     */
    static final Duration QUICK_REQUEST_TIMEOUT = Duration.ofSeconds(6);
    static final Duration DEFAULT_DURATION = Duration.ofMinutes(2);
    /** One and a half of quick's 20-s cycles: every connection refreshed under the tail at least once. */
    static final Duration QUICK_DURATION = Duration.ofSeconds(30);

    static List<TailCase> cases(String names) {
        if (names.isBlank() || names.equals("none")) {
            return List.of();
        }
        List<TailCase> cases = Arrays.stream(names.split(",")).map(String::trim).map(TailCase::parse).toList();
        if (cases.stream().map(TailCase::name).distinct().count() < cases.size()) {
            throw new IllegalArgumentException("--tail names a tail twice: " + names);
        }
        return cases;
    }
}
