package dev.tokenrefresher.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * How much CPU the machine spent outside the benchmark's own processes while a window was measured: this machine is
 * shared, and a figure measured while something else ran says little. (The load average said nothing useful here: the
 * pooled sweep's 600 threads, waking together at each pass, read 12 on their own.) The machine's busy time is
 * {@code /proc/stat}'s user, nice, system, irq and softirq; the benchmark's is its meter's components: its apps, its own
 * JVM, and every PostgreSQL and RabbitMQ process, which other users of those services share.
 */
final class OtherLoad {

    /** Linux' USER_HZ, the unit of {@code /proc/stat}, as in {@link CpuMeter}. */
    private static final double TICKS_PER_SECOND = 100.0;

    private final CpuMeter ours;
    private final CpuMeter.Reading oursBefore;
    private final long machineBefore;

    OtherLoad(CpuMeter ours) {
        this.ours = ours;
        this.oursBefore = ours.read();
        this.machineBefore = machineBusyTicks();
    }

    /** CPU seconds spent outside the benchmark's processes since this was made; NaN where the machine cannot tell. */
    double cpuSeconds() {
        long machine = machineBusyTicks();
        if (machine < 0 || machineBefore < 0) {
            return Double.NaN;
        }
        double oursSeconds = CpuMeter.seconds(oursBefore, ours.read()).values().stream().mapToDouble(
                Double::doubleValue).sum();
        return Math.max(0, (machine - machineBefore) / TICKS_PER_SECOND - oursSeconds);
    }

    private static long machineBusyTicks() {
        try {
            String cpu = Files.readAllLines(Path.of("/proc/stat")).getFirst();
            long[] fields = Arrays.stream(cpu.trim().split("\\s+")).skip(1).mapToLong(Long::parseLong).toArray();
            // user, nice, system, (idle, iowait,) irq, softirq
            return fields[0] + fields[1] + fields[2] + fields[5] + fields[6];
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
