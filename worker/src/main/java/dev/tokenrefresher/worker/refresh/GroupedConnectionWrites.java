package dev.tokenrefresher.worker.refresh;

import dev.tokenrefresher.common.connection.ClaimRequest;
import dev.tokenrefresher.common.connection.ClaimResult;
import dev.tokenrefresher.common.connection.ConnectionStore;
import dev.tokenrefresher.common.connection.RefreshToStore;
import java.util.OptionalLong;
import org.springframework.stereotype.Component;

/**
 * The two writes every refresh makes, the claim and the store of its result, grouped across the refreshes in flight:
 * each is still one guarded statement per row's effect, but one statement and one commit carries the rows of many
 * refreshes ({@code refresher.worker.statement-batch-size}).
 */
@Component
class GroupedConnectionWrites implements AutoCloseable {

    private final GroupedStatement<ClaimRequest, ClaimResult> claims;
    private final GroupedStatement<RefreshToStore, OptionalLong> stores;

    GroupedConnectionWrites(ConnectionStore store, WorkerProperties properties) {
        this.claims = new GroupedStatement<>("claim", store::claimAll, properties.statementBatchSize());
        this.stores = new GroupedStatement<>("store", store::storeAllRefreshed, properties.statementBatchSize());
    }

    /** @see ConnectionStore#claim */
    ClaimResult claim(ClaimRequest request) {
        return claims.run(request);
    }

    /** @see ConnectionStore#storeRefreshed */
    OptionalLong storeRefreshed(RefreshToStore refresh) {
        return stores.run(refresh);
    }

    @Override
    public void close() {
        claims.close();
        stores.close();
    }
}
