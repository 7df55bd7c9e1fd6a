package dev.tokenrefresher.common.handoff;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import dev.tokenrefresher.common.connection.RefreshOutcomes;
import dev.tokenrefresher.common.connection.RefreshToStore;
import dev.tokenrefresher.common.connection.Stored;
import dev.tokenrefresher.common.database.DatabaseOutage;
import dev.tokenrefresher.common.messaging.RefresherTopology;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.AmqpConnectException;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Applies issued tokens handed off while PostgreSQL was down: every app runs one, and at most one per installation
 * works at a time (a PostgreSQL advisory lock held by its transaction).
 *
 * <p>A run takes the database's time, then polls the hand-off queue and stores what it got with the same guarded
 * statement a worker uses (the consumed refresh token must still be the stored one, so an older issue never overwrites
 * a newer one), all in one transaction; it acknowledges the messages only after that transaction committed. When the
 * queue was empty at the end, the run also records its start as {@code handoff_watermark.drained_at}: every hand-off
 * published before that moment has been applied, so a lease that ended before it hides no issued tokens and may be
 * taken over ({@code ConnectionClaims}). After the commit come the next refresh messages and the events.
 *
 * <p>A hand-off whose row the database refuses on its own is rejected into the parked queue after the commit, and its
 * connection parked in the same transaction ({@link RefusedHandoffs}).
 */
public final class HandoffDrain implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(HandoffDrain.class);

    private final CachingConnectionFactory rabbit;
    /**
     * Every broker address the app was given ({@code spring.rabbitmq.addresses}, or host and port), tried in order:
     * the drain's connection is its own, beside Spring's cached one, and must reach a surviving cluster node as that
     * one does. The AMQP client's factory knows only the first address.
     */
    private final List<Address> brokerAddresses;
    private final RefresherTopology topology;
    private final HandoffCodec codec;
    private final RefreshOutcomes outcomes;
    private final AppliedHandoffs applied;
    private final RefusedHandoffs refused;
    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;
    private final HandoffProperties properties;
    private final MeterRegistry meters;
    private ScheduledExecutorService executor;
    private com.rabbitmq.client.Connection connection;

    HandoffDrain(CachingConnectionFactory rabbit, List<Address> brokerAddresses, RefresherTopology topology,
            HandoffCodec codec, RefreshOutcomes outcomes, AppliedHandoffs applied, RefusedHandoffs refused,
            JdbcClient jdbc, TransactionTemplate transactions, HandoffProperties properties, MeterRegistry meters) {
        if (brokerAddresses.isEmpty()) {
            throw new IllegalArgumentException("no broker address");
        }
        this.rabbit = rabbit;
        this.brokerAddresses = List.copyOf(brokerAddresses);
        this.topology = topology;
        this.codec = codec;
        this.outcomes = outcomes;
        this.applied = applied;
        this.refused = refused;
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.properties = properties;
        this.meters = meters;
    }

    /** One message fetched from the hand-off queue, decoded or found malformed. */
    private record Fetched(long tag, RefreshToStore refresh) {
    }

    /**
     * What a committed run applied, and whether it emptied the queue.
     *
     * @param parked hand-offs moved to the parked queue: unreadable, or refused by the database
     * @param refusedStores the connections of refused hand-offs that were parked with them
     */
    record Run(List<RefreshToStore> refreshes, List<Optional<Stored>> results, int parked,
            List<RefusedHandoffs.Parked> refusedStores, boolean emptied) {

        static Run notOurTurn() {
            return new Run(List.of(), List.of(), 0, List.of(), false);
        }
    }

    /**
     * Drains until the queue is empty or another app holds the drain; returns the last run (for tests and tools).
     */
    public Run drain() {
        Run run;
        do {
            run = runOnce();
        } while (!run.emptied() && !run.refreshes().isEmpty());
        return run;
    }

    private Run runOnce() {
        // a channel of its own, really closed at the end (not returned to a cache): whatever it fetched and did not
        // acknowledge goes back to the queue
        Channel channel = openChannel();
        try {
            List<Long> toAck = new ArrayList<>();
            List<Long> toReject = new ArrayList<>();
            Run run = transactions.execute(status -> applyBatch(channel, status, toAck, toReject));
            if (run == null) {
                return Run.notOurTurn();
            }
            for (long tag : toAck) {
                channel.basicAck(tag, false);
            }
            // after the commit, as the acks: a refused hand-off leaves the queue only once its connection is parked
            for (long tag : toReject) {
                channel.basicReject(tag, false);
            }
            applied.afterCommit(run);
            refused.afterCommit(run.refusedStores());
            return run;
        } catch (IOException e) {
            // the acknowledgements failed: the messages come back, and their guard finds them applied (or refused)
            throw new AmqpIOFailure(e);
        } finally {
            try {
                channel.close();
            } catch (IOException | TimeoutException | RuntimeException e) {
                log.debug("hand-off drain channel did not close cleanly: {}", e.toString());
            }
        }
    }

    private synchronized Channel openChannel() {
        try {
            if (connection == null || !connection.isOpen()) {
                connection = rabbit.getRabbitConnectionFactory().newConnection(brokerAddresses,
                        "token-refresher handoff drain");
            }
            return connection.createChannel();
        } catch (IOException | TimeoutException e) {
            throw new AmqpConnectException(e);
        }
    }

    private Run applyBatch(Channel channel, TransactionStatus status, List<Long> toAck, List<Long> toReject) {
        Boolean ours = jdbc
                .sql("SELECT pg_try_advisory_xact_lock(hashtext('token-refresher/handoff/' || :installation))")
                .param("installation", topology.prefix())
                .query(Boolean.class)
                .single();
        if (!Boolean.TRUE.equals(ours)) {
            return null;
        }
        Timestamp startedAt = jdbc.sql("SELECT clock_timestamp()::timestamptz").query(Timestamp.class).single();
        List<Fetched> fetched = new ArrayList<>();
        boolean emptied = false;
        int parked = 0;
        try {
            while (fetched.size() < properties.batchSize()) {
                GetResponse response = channel.basicGet(topology.handoffQueue(), false);
                if (response == null) {
                    emptied = true;
                    break;
                }
                long tag = response.getEnvelope().getDeliveryTag();
                String messageId = response.getProps().getMessageId();
                try {
                    fetched.add(new Fetched(tag, codec.decode(response.getBody(), messageId)));
                } catch (MalformedHandoffException e) {
                    channel.basicReject(tag, false);
                    parked++;
                    log.error("{}; parked in {}", e.getMessage(), topology.parkedQueue());
                }
            }
        } catch (IOException e) {
            throw new AmqpIOFailure(e);
        }
        List<RefreshToStore> refreshes = new ArrayList<>();
        List<Optional<Stored>> results = new ArrayList<>();
        List<RefusedHandoffs.Parked> refusedStores = new ArrayList<>();
        for (StoredBatch batch : store(fetched, status)) {
            if (batch.refused()) {
                toReject.add(batch.fetched().tag());
                batch.parkedConnection().ifPresent(refusedStores::add);
                parked++;
            } else {
                toAck.add(batch.fetched().tag());
                refreshes.add(batch.fetched().refresh());
                results.add(batch.result());
            }
        }
        if (emptied) {
            jdbc.sql("""
                    INSERT INTO handoff_watermark (installation, drained_at) VALUES (:installation, :at)
                    ON CONFLICT (installation) DO UPDATE SET drained_at = GREATEST(handoff_watermark.drained_at, :at)
                    """)
                    .param("installation", topology.prefix())
                    .param("at", startedAt)
                    .update();
        }
        if (parked > 0) {
            meters.counter("refresher.handoff.parked").increment(parked);
        }
        return new Run(refreshes, results, parked, refusedStores, emptied);
    }

    /** @param parkedConnection of a refused hand-off, its connection if that was parked */
    private record StoredBatch(Fetched fetched, Optional<Stored> result, boolean refused,
            Optional<RefusedHandoffs.Parked> parkedConnection) {

        static StoredBatch stored(Fetched fetched, Optional<Stored> result) {
            return new StoredBatch(fetched, result, false, Optional.empty());
        }
    }

    /**
     * Stores the batch in one statement; when that statement fails for another reason than an outage, stores each
     * message alone (under a savepoint, so the transaction and its lock live on) and parks the ones that fail alone.
     */
    private List<StoredBatch> store(List<Fetched> fetched, TransactionStatus status) {
        List<StoredBatch> stored = new ArrayList<>();
        if (fetched.isEmpty()) {
            return stored;
        }
        Object whole = status.createSavepoint();
        try {
            List<Optional<Stored>> results = outcomes.storeAllRefreshed(fetched.stream().map(Fetched::refresh)
                    .toList());
            status.releaseSavepoint(whole);
            for (int i = 0; i < fetched.size(); i++) {
                stored.add(StoredBatch.stored(fetched.get(i), results.get(i)));
            }
            return stored;
        } catch (RuntimeException e) {
            if (DatabaseOutage.isOutage(e)) {
                throw e;
            }
            status.rollbackToSavepoint(whole);
        }
        for (Fetched one : fetched) {
            Object single = status.createSavepoint();
            try {
                stored.add(StoredBatch.stored(one, outcomes.storeRefreshed(one.refresh().claim(), one.refresh()
                        .tokens(), one.refresh().nextRefreshAt(), one.refresh().now(), one.refresh().attempt())));
                status.releaseSavepoint(single);
            } catch (RuntimeException e) {
                if (DatabaseOutage.isOutage(e)) {
                    throw e;
                }
                status.rollbackToSavepoint(single);
                stored.add(new StoredBatch(one, Optional.empty(), true, refused.park(one.refresh(), e, status)));
            }
        }
        return stored;
    }

    // ---- lifecycle: one scheduled thread per app ----

    @Override
    public synchronized void start() {
        executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "handoff-drain");
            thread.setDaemon(true);
            return thread;
        });
        long interval = properties.drainInterval().toMillis();
        executor.scheduleWithFixedDelay(this::drainQuietly, interval, interval, TimeUnit.MILLISECONDS);
    }

    private void drainQuietly() {
        try {
            drain();
        } catch (RuntimeException e) {
            if (DatabaseOutage.isOutage(e) || e instanceof AmqpException || e instanceof AmqpIOFailure) {
                // PostgreSQL or RabbitMQ is down: nothing can be applied now, and nothing is lost; try again later
                log.debug("hand-off drain waits: {}", e.toString());
            } else {
                log.error("hand-off drain failed; it runs again in {}", properties.drainInterval(), e);
            }
        }
    }

    @Override
    public synchronized void stop() {
        if (executor != null) {
            executor.shutdownNow();
            executor = null;
        }
        if (connection != null) {
            try {
                connection.close();
            } catch (IOException | RuntimeException e) {
                log.debug("hand-off drain connection did not close cleanly: {}", e.toString());
            }
            connection = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return executor != null;
    }

    /** A broker I/O failure while polling or acknowledging; the unacknowledged messages return to the queue. */
    static final class AmqpIOFailure extends RuntimeException {
        AmqpIOFailure(IOException cause) {
            super("hand-off queue I/O failed: " + cause.getMessage(), cause);
        }
    }
}
