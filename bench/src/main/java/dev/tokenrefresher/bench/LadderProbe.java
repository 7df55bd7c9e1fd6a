package dev.tokenrefresher.bench;

import dev.tokenrefresher.common.messaging.DelayLadder;
import dev.tokenrefresher.common.messaging.LadderQueueType;
import dev.tokenrefresher.common.messaging.MessagingProperties;
import dev.tokenrefresher.common.messaging.RefreshMessage;
import dev.tokenrefresher.common.messaging.RefreshMessageCodec;
import dev.tokenrefresher.common.messaging.RefreshPublisher;
import dev.tokenrefresher.common.messaging.RefresherTopology;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import tools.jackson.databind.ObjectMapper;

/**
 * The delay ladder alone, without the apps: publishes messages at a steady rate, each delayed by the same number of
 * seconds, consumes them from the work queue and prints how late they arrived and the broker's CPU per message. Run
 * it with {@code java -cp bench/target/bench-0.1.0-SNAPSHOT-exec.jar -Dloader.main=dev.tokenrefresher.bench.LadderProbe
 * org.springframework.boot.loader.launch.PropertiesLauncher <rate per s> <delay s> <seconds> <quorum|classic>
 * [<ladder early fraction>]}; the fraction defaults to {@link MessagingProperties#DEFAULT_LADDER_EARLY_FRACTION}, and
 * lateness is measured against the due time a message carries (its delay cut short by up to that fraction).
 */
public final class LadderProbe {

    private LadderProbe() {
    }

    public static void main(String[] args) throws Exception {
        int rate = Integer.parseInt(args[0]);
        int delay = Integer.parseInt(args[1]);
        int seconds = Integer.parseInt(args[2]);
        LadderQueueType type = LadderQueueType.valueOf(args[3].toUpperCase(java.util.Locale.ROOT));
        double earlyFraction = args.length > 4
                ? Double.parseDouble(args[4])
                : MessagingProperties.DEFAULT_LADDER_EARLY_FRACTION;
        CpuMeter broker = new CpuMeter().component("RabbitMQ", CpuMeter.byCommand("beam.smp"));
        CachingConnectionFactory factory = new CachingConnectionFactory("127.0.0.1", 5672);
        factory.setPublisherConfirmType(CachingConnectionFactory.ConfirmType.CORRELATED);
        factory.setPublisherReturns(true);
        String prefix = "probe-" + UUID.randomUUID().toString().substring(0, 8);
        MessagingProperties properties = new MessagingProperties(prefix, null, null, type,
                earlyFraction, null, null);
        RefresherTopology topology = new RefresherTopology(properties);
        RabbitAdmin admin = new RabbitAdmin(factory);
        topology.declarables(List.of("probe")).getDeclarables().forEach(d -> {
            if (d instanceof org.springframework.amqp.core.Queue q) {
                admin.declareQueue(q);
            } else if (d instanceof org.springframework.amqp.core.Exchange e) {
                admin.declareExchange(e);
            } else if (d instanceof org.springframework.amqp.core.Binding b) {
                admin.declareBinding(b);
            }
        });
        RefreshMessageCodec codec = new RefreshMessageCodec(new ObjectMapper());
        RefreshPublisher publisher = new RefreshPublisher(factory, topology, codec, properties);
        List<Long> lateness = Collections.synchronizedList(new ArrayList<>());
        SimpleMessageListenerContainer container = new SimpleMessageListenerContainer(factory);
        container.setQueueNames(topology.workQueue("probe"));
        container.setMessageListener(m -> lateness.add(Duration.between(codec.decode(m.getBody(), null).dueAt(),
                Instant.now()).toMillis()));
        container.start();
        try {
            CpuMeter.Reading before = broker.read();
            long start = System.nanoTime();
            int sent = 0;
            while (System.nanoTime() - start < seconds * 1_000_000_000L) {
                long due = (long) ((System.nanoTime() - start) / 1e9 * rate);
                List<RefreshPublisher.Outgoing> batch = new ArrayList<>();
                Instant now = Instant.now();
                for (; sent < due; sent++) {
                    batch.add(new RefreshPublisher.Outgoing("probe", new RefreshMessage(UUID.randomUUID(), sent, now
                            .plusSeconds(delay), 0)));
                }
                if (!batch.isEmpty()) {
                    publisher.publishAll(batch, now);
                }
                Thread.sleep(20);
            }
            long deadline = System.nanoTime() + (delay + 60) * 1_000_000_000L;
            while (lateness.size() < sent && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            double brokerSeconds = CpuMeter.seconds(before, broker.read()).get("RabbitMQ");
            List<Long> sorted = new ArrayList<>(lateness);
            Collections.sort(sorted);
            long levels = Long.bitCount(DelayLadder.coarsen(delay, earlyFraction));
            double brokerMsPerMessage = sent == 0 ? 0 : brokerSeconds * 1000 / sent;
            System.out.printf("%s ladder, %d/s, delay %d s (%d levels, early fraction %s): %d of %d arrived; "
                    + "lateness ms p50 %d, p90 %d, p99 %d, max %d; RabbitMQ %.2f CPU ms per message%n", type, rate,
                    delay, levels, earlyFraction, sorted.size(), sent, at(sorted, 0.5), at(sorted, 0.9),
                    at(sorted, 0.99), at(sorted, 1.0), brokerMsPerMessage);
            printShares(sorted);
        } finally {
            container.stop();
            topology.queueNames(List.of("probe")).forEach(admin::deleteQueue);
            topology.exchangeNames().forEach(admin::deleteExchange);
            factory.destroy();
        }
    }

    /** The share of messages per quarter second of lateness: a step shows where the ladder hands on in rounds. */
    private static void printShares(List<Long> sorted) {
        StringBuilder shares = new StringBuilder("lateness shares:");
        long[] bounds = {0, 250, 500, 750, 1000, 1250, 1500, 1750, 2000, 2500, 3000, Long.MAX_VALUE};
        for (int i = 0; i + 1 < bounds.length; i++) {
            long low = bounds[i];
            long high = bounds[i + 1];
            long count = sorted.stream().filter(ms -> ms >= low && ms < high).count();
            String upTo = high == Long.MAX_VALUE ? "inf" : Long.toString(high);
            double share = sorted.isEmpty() ? 0.0 : count * 100.0 / sorted.size();
            shares.append(String.format(" [%d,%s ms) %.1f%%", low, upTo, share));
        }
        System.out.println(shares);
    }

    private static long at(List<Long> sorted, double q) {
        return sorted.isEmpty() ? -1 : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
    }
}
