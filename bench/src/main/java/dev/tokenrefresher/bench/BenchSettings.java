package dev.tokenrefresher.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * What one benchmark run does; every size is a parameter ({@code --name=value}).
 *
 * @param connections connections in the catch-up scenario, all due at once (default {@value #DEFAULT_CONNECTIONS},
 *            quick {@value #QUICK_CONNECTIONS})
 * @param workerCounts the catch-up is run once per entry, with that many worker processes (default 1,2,4; quick 2)
 * @param concurrency refreshes in flight per worker process (the provider's {@code concurrency})
 * @param latency the sandbox provider's answer time
 * @param sweepLimit how long each cron-sweep baseline may run before its rate is taken (it need not finish)
 * @param runLimit how long one catch-up may take before it is reported as unfinished
 * @param report where the Markdown report goes; the charts go next to it
 * @param warmup connections refreshed by freshly started workers before each measured catch-up: production workers
 *            run for days, and a cold JVM's first seconds say little about them (default
 *            {@value #DEFAULT_WARMUP}, quick {@value #QUICK_WARMUP}; 0 for none)
 */
record BenchSettings(int connections, List<Integer> workerCounts, int concurrency, Duration latency,
        Duration sweepLimit, Duration runLimit, Path report, boolean quick, int warmup) {

    static final int DEFAULT_CONNECTIONS = 100_000;
    static final int QUICK_CONNECTIONS = 2_000;
    static final int DEFAULT_CONCURRENCY = 100;
    static final int DEFAULT_WARMUP = 5_000;
    static final int QUICK_WARMUP = 500;

    static BenchSettings parse(String... args) {
        boolean quick = Arrays.asList(args).contains("--quick");
        int connections = quick ? QUICK_CONNECTIONS : DEFAULT_CONNECTIONS;
        List<Integer> workers = quick ? List.of(2) : List.of(1, 2, 4);
        int concurrency = DEFAULT_CONCURRENCY;
        Duration latency = Duration.ofMillis(100);
        Duration sweepLimit = quick ? Duration.ofSeconds(15) : Duration.ofSeconds(60);
        Duration runLimit = quick ? Duration.ofMinutes(3) : Duration.ofMinutes(10);
        Path report = quick ? Path.of("bench/target/benchmarks.md") : Path.of("docs/benchmarks.md");
        int warmup = quick ? QUICK_WARMUP : DEFAULT_WARMUP;
        for (String arg : args) {
            if (arg.equals("--quick")) {
                continue;
            }
            String[] pair = arg.replaceFirst("^--", "").split("=", 2);
            if (pair.length != 2) {
                throw new IllegalArgumentException("arguments are --name=value or --quick, not " + arg);
            }
            switch (pair[0]) {
                case "connections" -> connections = positive(pair[0], Integer.parseInt(pair[1]));
                case "workers" -> workers = Arrays.stream(pair[1].split(",")).map(Integer::parseInt)
                        .map(n -> positive("workers", n)).toList();
                case "concurrency" -> concurrency = positive(pair[0], Integer.parseInt(pair[1]));
                case "latency-ms" -> latency = Duration.ofMillis(Long.parseLong(pair[1]));
                case "sweep-seconds" -> sweepLimit = Duration.ofSeconds(positive(pair[0], Integer.parseInt(pair[1])));
                case "run-minutes" -> runLimit = Duration.ofMinutes(positive(pair[0], Integer.parseInt(pair[1])));
                case "report" -> report = Path.of(pair[1]);
                case "warmup" -> warmup = Integer.parseInt(pair[1]);
                default -> throw new IllegalArgumentException("unknown argument --" + pair[0] + "; known: "
                        + "--connections, --workers, --concurrency, --latency-ms, --sweep-seconds, --run-minutes, "
                        + "--report, --warmup, --quick");
            }
        }
        return new BenchSettings(connections, workers, concurrency, latency, sweepLimit, runLimit, report, quick,
                Math.max(0, Math.min(warmup, connections)));
    }

    private static int positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException("--" + name + " must be at least 1, was " + value);
        }
        return value;
    }
}
