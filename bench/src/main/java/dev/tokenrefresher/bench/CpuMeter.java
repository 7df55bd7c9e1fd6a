package dev.tokenrefresher.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * CPU time per component from {@code /proc/<pid>/stat} (user + system), summed over the component's processes. A
 * process that starts during a measurement counts in full; one that ends during it is lost (the apps' and the
 * databases' processes live through a run).
 */
final class CpuMeter {

    /** Linux' USER_HZ, the unit of utime and stime: 100 on every mainstream kernel configuration. */
    private static final double TICKS_PER_SECOND = 100.0;

    private final Map<String, Supplier<List<Long>>> components = new LinkedHashMap<>();

    CpuMeter component(String name, Supplier<List<Long>> pids) {
        components.put(name, pids);
        return this;
    }

    /** Every process whose command ends with this name, e.g. {@code postgres} or {@code beam.smp}. */
    static Supplier<List<Long>> byCommand(String command) {
        return () -> ProcessHandle.allProcesses()
                .filter(p -> p.info().command().map(c -> c.endsWith("/" + command) || c.equals(command)).orElse(
                        false))
                .map(ProcessHandle::pid)
                .toList();
    }

    /** A reading: ticks per component and per pid, to subtract from a later one. */
    record Reading(Map<String, Map<Long, Long>> ticks) {
    }

    Reading read() {
        Map<String, Map<Long, Long>> ticks = new LinkedHashMap<>();
        components.forEach((name, pids) -> {
            Map<Long, Long> perPid = new HashMap<>();
            for (long pid : pids.get()) {
                perPid.put(pid, ticks(pid));
            }
            ticks.put(name, perPid);
        });
        return new Reading(ticks);
    }

    /** CPU seconds per component between two readings. */
    static Map<String, Double> seconds(Reading before, Reading after) {
        Map<String, Double> seconds = new LinkedHashMap<>();
        after.ticks().forEach((name, perPid) -> {
            Map<Long, Long> earlier = before.ticks().getOrDefault(name, Map.of());
            long used = 0;
            for (var entry : perPid.entrySet()) {
                used += entry.getValue() - earlier.getOrDefault(entry.getKey(), 0L);
            }
            seconds.put(name, used / TICKS_PER_SECOND);
        });
        return seconds;
    }

    private static long ticks(long pid) {
        try {
            return ticks(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
        } catch (IOException | RuntimeException gone) {
            return 0;
        }
    }

    /** User plus system time, in ticks, from the text of a {@code /proc/<pid>/stat}. */
    static long ticks(String stat) {
        // the command may contain spaces and parentheses: fields are counted after its last closing parenthesis
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // after the command: state (field 3 of proc(5)) ... utime (14), stime (15)
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }
}
