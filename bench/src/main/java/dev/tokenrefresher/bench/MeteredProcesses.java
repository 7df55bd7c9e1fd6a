package dev.tokenrefresher.bench;

import java.util.List;

/**
 * The processes whose CPU every measured run counts: the sandbox, the scheduler, the database server and the broker,
 * with the workers the run started.
 */
record MeteredProcesses(AppProcess sandbox, AppProcess scheduler, ServerProcesses.Servers servers) {

    /** @param workers the run's worker processes; none for a sweep, which runs in the benchmark's JVM */
    CpuMeter meter(List<AppProcess> workers) {
        CpuMeter cpu = new CpuMeter();
        if (!workers.isEmpty()) {
            cpu.component("workers", () -> workers.stream().map(AppProcess::pid).toList());
        }
        return cpu.component("scheduler", () -> List.of(scheduler.pid()))
                .component("sandbox", () -> List.of(sandbox.pid()))
                .component(Capacity.DATABASE, servers.database())
                .component(Capacity.BROKER, servers.broker());
    }
}
