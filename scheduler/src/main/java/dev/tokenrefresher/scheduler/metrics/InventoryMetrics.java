package dev.tokenrefresher.scheduler.metrics;

import dev.tokenrefresher.common.connection.ConnectionQueries;
import dev.tokenrefresher.common.connection.ConnectionStatus;
import dev.tokenrefresher.common.messaging.RefresherTopology;
import dev.tokenrefresher.common.provider.ProviderRegistry;
import dev.tokenrefresher.common.provider.ProviderSettings;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.QueueInformation;
import org.springframework.dao.DataAccessException;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * What the system holds, as gauges: connections by provider and status ({@code refresher.connections}) and messages
 * ready in every queue ({@code refresher.queue.messages}: work queues, ladder levels, dead letters). Counted every
 * {@code refresher.metrics.inventory-interval} rather than per scrape, so that a scrape never runs a count over the
 * connection table. Every scheduler reports the same figures; dashboards take the max.
 *
 * <p>Ready only: a passive declaration's {@code message_count} is all AMQP tells (RabbitMQ 3.10, quorum and classic
 * queues alike); deliveries held unacknowledged by consumers are counted by the workers that hold them
 * ({@code refresher.queue.unacknowledged}), and the dashboard adds the two.
 */
@Component
class InventoryMetrics {

    private static final Logger log = LoggerFactory.getLogger(InventoryMetrics.class);

    private final ConnectionQueries queries;
    private final AmqpAdmin admin;
    private final List<String> providerNames;
    private final List<String> queueNames;
    private final MultiGauge connections;
    private final MultiGauge queues;

    InventoryMetrics(ConnectionQueries queries, AmqpAdmin admin, RefresherTopology topology,
            ProviderRegistry providers, MeterRegistry registry) {
        this.queries = queries;
        this.admin = admin;
        this.providerNames = providers.all().stream().map(ProviderSettings::name).toList();
        this.queueNames = topology.queueNames(providerNames);
        this.connections = MultiGauge.builder("refresher.connections")
                .description("Connections by provider and status")
                .register(registry);
        this.queues = MultiGauge.builder("refresher.queue.messages")
                .description("Messages ready in a queue (work queues, delay ladder levels, dead letters); deliveries "
                        + "held unacknowledged by consumers not included")
                .register(registry);
    }

    @Scheduled(initialDelay = 0, fixedDelayString = "${refresher.metrics.inventory-interval:PT15S}")
    void count() {
        try {
            // every configured provider and status, 0 where none: an absent series would hide "none left"
            Map<List<String>, Long> counts = new LinkedHashMap<>();
            for (String provider : providerNames) {
                for (ConnectionStatus status : ConnectionStatus.values()) {
                    counts.put(List.of(provider, status.name()), 0L);
                }
            }
            queries.countByProviderAndStatus().forEach(count -> counts.put(List.of(count.provider(), count.status()
                    .name()), count.connections()));
            connections.register(counts.entrySet().stream()
                    .map(entry -> MultiGauge.Row.of(Tags.of("provider", entry.getKey().get(0), "status", entry
                            .getKey().get(1)), entry.getValue()))
                    .toList(), true);
        } catch (DataAccessException e) {
            log.warn("connections not counted: {}", e.getClass().getSimpleName());
        }
        try {
            List<MultiGauge.Row<?>> rows = new ArrayList<>();
            for (String queue : queueNames) {
                QueueInformation info = admin.getQueueInfo(queue);
                if (info != null) {
                    rows.add(MultiGauge.Row.of(Tags.of("queue", queue), info.getMessageCount()));
                }
            }
            queues.register(rows, true);
        } catch (AmqpException e) {
            log.warn("queue depths not read: {}", e.getClass().getSimpleName());
        }
    }
}
