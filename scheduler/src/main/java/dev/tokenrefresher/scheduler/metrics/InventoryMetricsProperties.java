package dev.tokenrefresher.scheduler.metrics;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The scheduler's inventory gauges, bound from {@code refresher.metrics}.
 *
 * @param inventoryInterval how often connections are counted by status and the queues' depths read (default
 *            {@value #DEFAULT_INVENTORY_INTERVAL_TEXT}); scrapes read the last counts, so they cost nothing
 */
@ConfigurationProperties("refresher.metrics")
public record InventoryMetricsProperties(Duration inventoryInterval) {

    static final String DEFAULT_INVENTORY_INTERVAL_TEXT = "15s";
    public static final Duration DEFAULT_INVENTORY_INTERVAL = Duration.ofSeconds(15);

    public InventoryMetricsProperties {
        inventoryInterval = inventoryInterval == null ? DEFAULT_INVENTORY_INTERVAL : inventoryInterval;
        if (!inventoryInterval.isPositive()) {
            throw new IllegalArgumentException("refresher.metrics.inventory-interval must be positive, was "
                    + inventoryInterval);
        }
    }
}
