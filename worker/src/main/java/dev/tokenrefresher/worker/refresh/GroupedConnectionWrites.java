package dev.tokenrefresher.worker.refresh;

import dev.tokenrefresher.common.connection.ClaimRequest;
import dev.tokenrefresher.common.connection.ClaimResult;
import dev.tokenrefresher.common.connection.ConnectionClaims;
import dev.tokenrefresher.common.connection.RefreshOutcomes;
import dev.tokenrefresher.common.connection.RefreshToStore;
import dev.tokenrefresher.common.connection.Stored;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * The two writes every refresh makes, the claim and the store of its result, grouped across the refreshes in flight:
 * each is still one guarded statement per row's effect, but one statement and one commit carries the rows of many
 * refreshes ({@code refresher.worker.statement-batch-size}).
 */
@Component
class GroupedConnectionWrites implements AutoCloseable {

    private final GroupedStatement<ClaimRequest, ClaimResult> claims;
    private final GroupedStatement<RefreshToStore, Optional<Stored>> stores;

    GroupedConnectionWrites(ConnectionClaims claims, RefreshOutcomes outcomes, WorkerProperties properties,
            MeterRegistry meters) {
        this.claims = new GroupedStatement<>("claim", claims::claimAll, properties.statementBatchSize(),
                InfrastructureRetry::isDatabaseDown, properties.statementMaxWait(), splits(meters, "claim"));
        this.stores = new GroupedStatement<>("store", outcomes::storeAllRefreshed, properties.statementBatchSize(),
                InfrastructureRetry::isDatabaseDown, properties.statementMaxWait(), splits(meters, "store"));
        queuedGauge(meters, "claim", this.claims);
        queuedGauge(meters, "store", this.stores);
    }

    /** Rows waiting for the statement in flight: a database that answers slowly shows here first. */
    private static void queuedGauge(MeterRegistry meters, String statement, GroupedStatement<?, ?> statements) {
        Gauge.builder("refresher.statement.queued", statements, GroupedStatement::queued)
                .description("Rows waiting for the grouped statement in flight to finish")
                .tag("statement", statement)
                .register(meters);
    }

    /** Registered at 0, so that "none yet" shows as such. */
    private static Runnable splits(MeterRegistry meters, String statement) {
        Counter counter = Counter.builder("refresher.statement.split")
                .description("Grouped statements that failed for another reason than an outage and were run again "
                        + "row by row")
                .tag("statement", statement)
                .register(meters);
        return counter::increment;
    }

    /** @see ConnectionClaims#claim */
    ClaimResult claim(ClaimRequest request) {
        return claims.run(request);
    }

    /** @see RefreshOutcomes#storeRefreshed */
    Optional<Stored> storeRefreshed(RefreshToStore refresh) {
        return stores.run(refresh);
    }

    @Override
    public void close() {
        claims.close();
        stores.close();
    }
}
