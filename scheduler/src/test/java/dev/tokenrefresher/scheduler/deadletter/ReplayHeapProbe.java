package dev.tokenrefresher.scheduler.deadletter;

import dev.tokenrefresher.common.CommonConfiguration;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;

/**
 * Runs one replay by filter in a JVM of its own, started by {@link DeadLetterReplayHeapTest} with a small heap: the
 * replay and what it needs (the database, the broker, the connection store), without the web layer. Prints the counts
 * and the heap's peak use on its last line; a replay that loads every letter at once dies here of
 * {@link OutOfMemoryError}.
 */
final class ReplayHeapProbe {

    static final String RESULT = "REPLAY-RESULT";

    private ReplayHeapProbe() {
    }

    public static void main(String[] args) {
        SpringApplication app = new SpringApplication(Probe.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        int status;
        try (ConfigurableApplicationContext context = app.run(args)) {
            String provider = context.getEnvironment().getRequiredProperty("probe.provider");
            DeadLetterReplay.Result result = context.getBean(DeadLetterReplay.class).replay(new DeadLetterFilter(
                    "retries_exhausted", provider, null, null, false));
            long peak = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP) {
                    peak += pool.getPeakUsage().getUsed();
                }
            }
            System.out.println(RESULT + " replayed=" + result.replayedCount() + " skipped=" + result.skippedCount()
                    + " listed=" + result.replayed().size() + " peakHeapBytes=" + peak + " maxHeapBytes=" + Runtime
                            .getRuntime().maxMemory());
            status = 0;
        }
        System.exit(status);
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @EnableConfigurationProperties(DeadLetterProperties.class)
    @Import({CommonConfiguration.class, DeadLetterRecords.class, DeadLetterReplay.class})
    static class Probe {
    }
}
