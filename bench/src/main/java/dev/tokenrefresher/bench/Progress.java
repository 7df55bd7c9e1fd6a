package dev.tokenrefresher.bench;

import java.util.ArrayList;
import java.util.List;

/** Refreshes done over time, one sample per call of {@link #sample}, for the throughput chart. */
final class Progress {

    record Sample(double seconds, long done) {
    }

    private final long started = System.nanoTime();
    private final List<Sample> samples = new ArrayList<>();
    private volatile long latest;

    void record(long done) {
        latest = done;
    }

    synchronized void sample(long done) {
        latest = done;
        samples.add(new Sample((System.nanoTime() - started) / 1e9, done));
    }

    synchronized void sampleLatest() {
        sample(latest);
    }

    synchronized List<Sample> samples() {
        return List.copyOf(samples);
    }

    double elapsedSeconds() {
        return (System.nanoTime() - started) / 1e9;
    }
}
