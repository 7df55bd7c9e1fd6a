package dev.tokenrefresher.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What one benchmark run does; every size is a parameter ({@code --name=value}).
 *
 * @param connections connections in the catch-up scenario, all due at once (default {@value #DEFAULT_CONNECTIONS},
 *            quick {@value #QUICK_CONNECTIONS})
 * @param workerCounts the catch-up is run once per entry, with that many worker processes (default 1,2,4; quick 2)
 * @param concurrency refreshes in flight in total (default {@value #DEFAULT_CONCURRENCY}): split evenly among the worker
 *            processes of a run (each one's provider {@code concurrency}), and the pooled sweep's threads, so that every
 *            catch-up and the sweep compare at the same concurrency
 * @param latency the sandbox provider's answer time
 * @param sweepLimit how long each cron-sweep baseline of the catch-up may run before its rate is taken (default
 *            60 s, quick 15 s): long enough for the pooled sweep to refresh all 100,000 here, so
 *            that it is measured as the workers are, to its last refresh (stopped at 30 s, it was spared the tail of a
 *            run that the workers' rate includes); the one-at-a-time sweep gets at most 10 s
 * @param runLimit how long one catch-up may take before it is reported as unfinished
 * @param report where the Markdown report goes; the charts go next to it
 * @param warmup connections refreshed by freshly started workers before each measured catch-up: production workers
 *            run for days, and a cold JVM's first seconds say little about them (default
 *            {@value #DEFAULT_WARMUP}, as many as the sweep's code gets from {@code sandboxWarmup}: with 5,000 one
 *            worker's measured catch-up still climbed for 20 s and cost 0.04 ms more per refresh; quick
 *            {@value #QUICK_WARMUP}; 0 for none)
 * @param sandboxWarmup connections refreshed by the pooled sweep once, before the first catch-up, not measured: the
 *            sandbox is a JVM too, and without it the first catch-up's figures hold the sandbox's JIT compiling (16 s
 *            of compiler time within one worker's measured catch-up of 100,000), which no later run pays; it warms the
 *            sweep's code in the benchmark's JVM alike (default {@value #DEFAULT_SANDBOX_WARMUP}, quick
 *            {@value #QUICK_SANDBOX_WARMUP}; 0 for none)
 * @param sweeps whether the cron-sweep baselines run ({@code --no-sweep} leaves them out, for quick experiments)
 * @param workerProperties extra settings for the worker processes ({@code --worker-property=name=value}, repeatable),
 *            to measure one setting against its default
 * @param steady the steady-state scenario: connections spread over one refresh cycle, run for a few cycles
 * @param footprintConnections connections stored and scheduled in the footprint scenario (default
 *            {@value #DEFAULT_FOOTPRINT_CONNECTIONS}, quick {@value #QUICK_FOOTPRINT_CONNECTIONS}; 0 skips it)
 * @param footprintTokenChars the length of the access tokens stored in the footprint scenario (default
 *            {@value #DEFAULT_FOOTPRINT_TOKEN_CHARS}: providers' access tokens are often JWTs of about a kilobyte; the
 *            sandbox's are 50 characters)
 * @param arguments the command line's arguments, for the report to say how it was made
 * @param sharedProperties extra settings for every app and the benchmark's own context
 *            ({@code --property=name=value}, repeatable), e.g. {@code refresher.messaging.ladder-queue-type=classic}
 * @param tail the tail-latency scenario, at the steady state's load ({@code --tail=hang10,hang1-slow10},
 *            {@code --tail-only}); with {@code --tail-only} the connections default to the steady state's
 */
record BenchSettings(int connections, List<Integer> workerCounts, int concurrency, Duration latency,
        Duration sweepLimit, Duration runLimit, Path report, boolean quick, int warmup, int sandboxWarmup,
        boolean sweeps,
        Map<String, String> workerProperties, Map<String, String> sharedProperties, Steady steady,
        int footprintConnections, int footprintTokenChars, TailSettings tail, List<String> arguments) {

    /**
     * @param connections connections refreshed in the steady state (default {@value #DEFAULT_STEADY_CONNECTIONS}, quick
     *            {@value #QUICK_STEADY_CONNECTIONS}); at most {@code connections}
     * @param cycle how often each connection is refreshed: the sandbox's access tokens live {@code cycle + lead}
     *            (default 60 s, quick 20 s)
     * @param lead the providers' refresh lead time (default 20 s, quick 10 s): a refresh later than this is a missed
     *            expiry
     * @param workers worker processes (default 2)
     * @param duration how long the workers' steady state is measured (default 2 minutes, quick 1 minute); 0 skips
     *            it; the pooled sweep's is measured for one cycle (every connection refreshed about once, a dozen
     *            passes at the default interval)
     * @param sweepInterval how often the pooled sweep of the steady state starts a pass over what is due (default
     *            5 s: the classic cron job runs every 5 minutes against access tokens of an
     *            hour, about a twelfth of their life, and the default cycle's tokens live 80 s)
     */
    record Steady(int connections, Duration cycle, Duration lead, int workers, Duration duration,
            Duration sweepInterval) {
    }

    static final Duration DEFAULT_SWEEP_INTERVAL = Duration.ofSeconds(5);
    static final Duration DEFAULT_SWEEP_LIMIT = Duration.ofSeconds(60);
    /**
     * The one-at-a-time sweep's rate is one provider call after another (about 9/s at 100 ms): 10 s measure it as well
     * as 30 did, and leave the benchmark's 15 minutes the time for the steady state's sweep.
     */
    static final Duration ONE_AT_A_TIME_SWEEP_LIMIT = Duration.ofSeconds(10);

    static final int DEFAULT_CONNECTIONS = 100_000;
    static final int QUICK_CONNECTIONS = 2_000;
    /**
     * A catch-up needs it: 1,500 refreshes/s at 100 ms per provider call is 150 calls in flight at the very least, and a
     * worker's batch holds its deliveries until its slowest refresh is done. Measured at 100,000 with one worker: 300
     * in flight 1,511-1,605/s (the pooled sweep with 300 threads 1,778-2,029/s), 600 in flight 1,943/s (the sweep with
     * 600 threads 1,899/s).
     */
    static final int DEFAULT_CONCURRENCY = 600;
    static final int DEFAULT_WARMUP = 20_000;
    static final int QUICK_WARMUP = 500;
    /** The sweep's code gets as many warm-up refreshes as each worker process does. */
    static final int DEFAULT_SANDBOX_WARMUP = DEFAULT_WARMUP;
    static final int QUICK_SANDBOX_WARMUP = 500;
    /**
     * 10,000 over a 60-s cycle is about 170 refreshes/s, each walking the delay ladder (6-7 CPU ms per refresh in the
     * steady state here, the broker's hops most of it). 100,000 at the same rate needs a 10-minute cycle, and a few
     * cycles of that do not fit the benchmark's 15 minutes; a shorter cycle would need more CPU than this machine has.
     */
    static final int DEFAULT_STEADY_CONNECTIONS = 10_000;
    static final int QUICK_STEADY_CONNECTIONS = 1_000;
    static final int DEFAULT_FOOTPRINT_CONNECTIONS = 1_000_000;
    static final int QUICK_FOOTPRINT_CONNECTIONS = 20_000;
    static final int DEFAULT_FOOTPRINT_TOKEN_CHARS = 1_000;

    /**
     * Setting names whose values are secrets, as Spring Boot's actuator tells them (password, secret, key, token,
     * credentials): the log and the report show such a value as {@value #HIDDEN}.
     */
    private static final Pattern SECRET_NAME = Pattern.compile("(?i).*(password|secret|key|token|credentials).*");
    static final String HIDDEN = "******";

    /** A setting's value as the log and the report may show it. */
    static String shown(String name, String value) {
        return SECRET_NAME.matcher(name).matches() ? HIDDEN : value;
    }

    /** The settings as the benchmark's first log line shows them: secrets among the properties hidden. */
    @Override
    public String toString() {
        return "BenchSettings[connections=" + connections + ", workerCounts=" + workerCounts + ", concurrency="
                + concurrency + ", latency=" + latency + ", sweepLimit=" + sweepLimit + ", runLimit=" + runLimit
                + ", report=" + report + ", quick=" + quick + ", warmup=" + warmup + ", sandboxWarmup="
                + sandboxWarmup + ", sweeps=" + sweeps
                + ", workerProperties=" + shown(workerProperties) + ", sharedProperties=" + shown(sharedProperties)
                + ", steady=" + steady + ", footprintConnections=" + footprintConnections + ", footprintTokenChars="
                + footprintTokenChars + ", tail=" + tail + ", command=" + command() + "]";
    }

    private static String shown(Map<String, String> properties) {
        return properties.entrySet().stream().map(e -> e.getKey() + "=" + shown(e.getKey(), e.getValue())).collect(
                Collectors.joining(", ", "{", "}"));
    }

    /** How long the catch-up's sweep with {@code threads} may run. */
    Duration sweepLimit(int threads) {
        return threads == 1 && sweepLimit.compareTo(ONE_AT_A_TIME_SWEEP_LIMIT) > 0
                ? ONE_AT_A_TIME_SWEEP_LIMIT
                : sweepLimit;
    }

    /** Refreshes in flight per worker process when a run has {@code workers} of them (rounded up). */
    int concurrencyPerWorker(int workers) {
        return (concurrency + workers - 1) / workers;
    }

    private static List<Integer> workerCounts(String list) {
        List<Integer> counts = Arrays.stream(list.split(",")).map(String::trim).map(Integer::parseInt).map(
                n -> positive("workers", n)).toList();
        if (counts.stream().distinct().count() < counts.size()) {
            // each count is one catch-up; its figures and chart series are named after it
            throw new IllegalArgumentException("--workers lists a worker count twice: " + list);
        }
        return counts;
    }

    static BenchSettings parse(String... args) {
        boolean quick = Arrays.asList(args).contains("--quick");
        boolean tailOnly = Arrays.asList(args).contains("--tail-only");
        int connections = quick ? QUICK_CONNECTIONS : DEFAULT_CONNECTIONS;
        boolean connectionsGiven = false;
        List<Integer> workers = quick ? List.of(2) : List.of(1, 2, 4);
        int concurrency = DEFAULT_CONCURRENCY;
        Duration latency = Duration.ofMillis(100);
        Duration sweepLimit = quick ? Duration.ofSeconds(15) : DEFAULT_SWEEP_LIMIT;
        Duration runLimit = quick ? Duration.ofMinutes(3) : Duration.ofMinutes(10);
        Path report = quick ? Path.of("bench/target/benchmarks.md") : Path.of("docs/benchmarks.md");
        int warmup = quick ? QUICK_WARMUP : DEFAULT_WARMUP;
        int sandboxWarmup = quick ? QUICK_SANDBOX_WARMUP : DEFAULT_SANDBOX_WARMUP;
        boolean sweeps = true;
        int steadyConnections = quick ? QUICK_STEADY_CONNECTIONS : DEFAULT_STEADY_CONNECTIONS;
        boolean steadyConnectionsGiven = false;
        Duration steadyCycle = Duration.ofSeconds(quick ? 20 : 60);
        Duration steadyLead = Duration.ofSeconds(quick ? 10 : 20);
        int steadyWorkers = 2;
        Duration steadyDuration = Duration.ofMinutes(quick ? 1 : 2);
        Duration sweepInterval = DEFAULT_SWEEP_INTERVAL;
        int footprintConnections = quick ? QUICK_FOOTPRINT_CONNECTIONS : DEFAULT_FOOTPRINT_CONNECTIONS;
        int footprintTokenChars = DEFAULT_FOOTPRINT_TOKEN_CHARS;
        List<TailCase> tailCases = TailSettings.cases(tailOnly
                ? TailSettings.DEFAULT_CASES
                : quick ? TailSettings.QUICK_CASES : "none");
        Duration tailTimeout = quick ? TailSettings.QUICK_REQUEST_TIMEOUT : TailSettings.DEFAULT_REQUEST_TIMEOUT;
        Duration tailDuration = quick ? TailSettings.QUICK_DURATION : TailSettings.DEFAULT_DURATION;
        Map<String, String> workerProperties = new LinkedHashMap<>();
        Map<String, String> sharedProperties = new LinkedHashMap<>();
        for (String arg : args) {
            if (arg.equals("--quick") || arg.equals("--tail-only")) {
                continue;
            }
            if (arg.equals("--no-sweep")) {
                sweeps = false;
                continue;
            }
            String[] pair = arg.replaceFirst("^--", "").split("=", 2);
            if (pair.length != 2) {
                throw new IllegalArgumentException("arguments are --name=value or --quick, not " + arg);
            }
            switch (pair[0]) {
                case "connections" -> {
                    connections = positive(pair[0], Integer.parseInt(pair[1]));
                    connectionsGiven = true;
                }
                case "workers" -> workers = workerCounts(pair[1]);
                case "concurrency" -> concurrency = positive(pair[0], Integer.parseInt(pair[1]));
                case "latency-ms" -> latency = Duration.ofMillis(Long.parseLong(pair[1]));
                case "sweep-seconds" -> sweepLimit = Duration.ofSeconds(positive(pair[0], Integer.parseInt(pair[1])));
                case "run-minutes" -> runLimit = Duration.ofMinutes(positive(pair[0], Integer.parseInt(pair[1])));
                case "report" -> report = Path.of(pair[1]);
                case "warmup" -> warmup = Integer.parseInt(pair[1]);
                case "sandbox-warmup" -> sandboxWarmup = Integer.parseInt(pair[1]);
                case "worker-property" -> property(pair, workerProperties);
                case "property" -> property(pair, sharedProperties);
                case "steady-connections" -> {
                    steadyConnections = positive(pair[0], Integer.parseInt(pair[1]));
                    steadyConnectionsGiven = true;
                }
                case "steady-cycle-seconds" -> steadyCycle = Duration.ofSeconds(positive(pair[0], Integer.parseInt(
                        pair[1])));
                case "steady-lead-seconds" -> steadyLead = Duration.ofSeconds(positive(pair[0], Integer.parseInt(
                        pair[1])));
                case "steady-workers" -> steadyWorkers = positive(pair[0], Integer.parseInt(pair[1]));
                case "steady-minutes" -> steadyDuration = Duration.ofMinutes(Integer.parseInt(pair[1]));
                case "steady-sweep-interval-seconds" -> sweepInterval = Duration.ofSeconds(positive(pair[0], Integer
                        .parseInt(pair[1])));
                case "footprint-connections" -> footprintConnections = Integer.parseInt(pair[1]);
                case "footprint-token-chars" -> footprintTokenChars = positive(pair[0], Integer.parseInt(pair[1]));
                case "tail" -> tailCases = TailSettings.cases(pair[1]);
                case "tail-timeout-seconds" -> tailTimeout = Duration.ofSeconds(positive(pair[0], Integer.parseInt(
                        pair[1])));
                case "tail-seconds" -> tailDuration = Duration.ofSeconds(positive(pair[0], Integer.parseInt(
                        pair[1])));
                default -> throw new IllegalArgumentException("unknown argument --" + pair[0] + "; known: "
                        + "--connections, --workers, --concurrency, --latency-ms, --sweep-seconds, --run-minutes, "
                        + "--report, --warmup, --sandbox-warmup, --worker-property, --property, --steady-connections, --steady-cycle-seconds, "
                        + "--steady-lead-seconds, --steady-workers, --steady-minutes, --steady-sweep-interval-seconds, "
                        + "--footprint-connections, "
                        + "--footprint-token-chars, --tail, --tail-timeout-seconds, --tail-seconds, --tail-only, "
                        + "--no-sweep, --quick");
            }
        }
        if (tailOnly) {
            if (tailCases.isEmpty()) {
                throw new IllegalArgumentException("--tail-only with --tail=none leaves nothing to run");
            }
            // the tail runs at the steady state's load: minting and storing the catch-up's 100,000 would be for nothing
            connections = connectionsGiven ? connections : steadyConnections;
            workers = List.of();
            steadyDuration = Duration.ZERO;
            footprintConnections = 0;
            report = reportGiven(args)
                    ? report
                    : Path.of(quick
                            ? "bench/target/benchmarks-tail.md"
                            : "docs/benchmarks-tail.md");
        }
        // The steady state reuses the catch-up's connections: a default larger than --connections shrinks to it, a
        // size asked for is not silently changed.
        if (steadyConnectionsGiven && steadyConnections > connections) {
            throw new IllegalArgumentException("--steady-connections=" + steadyConnections + " is more than "
                    + "--connections=" + connections + ": the steady state reuses the catch-up's connections");
        }
        return new BenchSettings(connections, workers, concurrency, latency, sweepLimit, runLimit, report, quick,
                Math.max(0, Math.min(warmup, connections)), Math.max(0, Math.min(sandboxWarmup, connections)), sweeps,
                Map.copyOf(workerProperties),
                Map.copyOf(sharedProperties), new Steady(Math.min(steadyConnections, connections), steadyCycle,
                        steadyLead, steadyWorkers, steadyDuration, sweepInterval),
                Math.max(0, footprintConnections),
                footprintTokenChars, new TailSettings(tailCases, tailTimeout, tailDuration, tailOnly), List.of(args));
    }

    /**
     * The command that made the report: the sizes and switches as given; {@code --property} and
     * {@code --worker-property} are left out here (the report lists them among its settings).
     */
    String command() {
        StringBuilder command = new StringBuilder("scripts/bench.sh");
        arguments.stream().filter(a -> !a.startsWith("--property=") && !a.startsWith("--worker-property=")).forEach(
                a -> command.append(' ').append(a));
        return command.toString();
    }

    private static boolean reportGiven(String... args) {
        return Arrays.stream(args).anyMatch(arg -> arg.startsWith("--report="));
    }

    private static void property(String[] argument, Map<String, String> into) {
        String[] property = argument[1].split("=", 2);
        if (property.length != 2 || property[0].isBlank()) {
            throw new IllegalArgumentException("--" + argument[0] + " takes name=value, not " + argument[1]);
        }
        into.put(property[0], property[1]);
    }

    private static int positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException("--" + name + " must be at least 1, was " + value);
        }
        return value;
    }
}
