package dev.tokenrefresher.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The machine's 1-minute load average, sampled while a window is measured, kept at its highest: this machine is shared,
 * and a figure measured while something else ran says little. A run that alone keeps the 2 cores busy reads about 2;
 * well above the cores, something else was running.
 */
final class LoadWatch implements AutoCloseable {

    private static final Path LOADAVG = Path.of("/proc/loadavg");
    private static final long EVERY_SECONDS = 5;

    private final AtomicReference<Double> highest = new AtomicReference<>(Double.NaN);
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();

    LoadWatch() {
        sampler.scheduleAtFixedRate(this::sample, 0, EVERY_SECONDS, TimeUnit.SECONDS);
    }

    /** The highest 1-minute load average seen so far; NaN where the machine does not tell it. */
    double highest() {
        sample();
        return highest.get();
    }

    private void sample() {
        double now = read();
        highest.accumulateAndGet(now, (a, b) -> Double.isNaN(a) ? b : Double.isNaN(b) ? a : Math.max(a, b));
    }

    private static double read() {
        try {
            return Double.parseDouble(Files.readString(LOADAVG).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    @Override
    public void close() {
        sampler.shutdownNow();
    }
}
