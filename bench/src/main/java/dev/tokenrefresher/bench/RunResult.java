package dev.tokenrefresher.bench;

import java.util.List;
import java.util.Map;

/**
 * One measured run.
 *
 * @param cpuSeconds CPU seconds per component during the run
 * @param finished whether every connection was refreshed within the limit
 */
record RunResult(String name, String setup, long refreshes, double seconds, Map<String, Double> cpuSeconds,
        List<Progress.Sample> samples, boolean finished) {

    double rate() {
        return seconds == 0 ? 0 : refreshes / seconds;
    }

    double cpuMillisPerRefresh() {
        return refreshes == 0
                ? 0
                : cpuSeconds.values().stream().mapToDouble(Double::doubleValue).sum() * 1000
                        / refreshes;
    }
}
