package dev.tokenrefresher.worker.refresh;

import dev.tokenrefresher.common.handoff.HandoffProperties;
import dev.tokenrefresher.common.provider.ProviderRegistry;
import dev.tokenrefresher.common.provider.ProviderSettings;
import dev.tokenrefresher.worker.resilience.ProviderGuard;
import dev.tokenrefresher.worker.resilience.ProviderGuards;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Each provider's {@link LeaseBudget}, computed at start-up from the worker's, the provider's and its resilience4j
 * settings. A worker whose {@code refresher.worker.lease} does not cover a provider's worst case refuses to start;
 * every claim's lease is at least that worst case (its floor), even where half the token's life is shorter. Nor does
 * one start whose {@code refresher.worker.shutdown-grace} does not cover what a refresh under way may still need when
 * the worker stops ({@link LeaseBudget#forShutdown}).
 */
@Component
class LeaseBudgets {

    private static final Logger log = LoggerFactory.getLogger(LeaseBudgets.class);

    private final Map<String, LeaseBudget> budgets = new LinkedHashMap<>();

    LeaseBudgets(ProviderRegistry providers, ProviderGuards guards, WorkerProperties properties,
            HandoffProperties handoff) {
        for (ProviderSettings provider : providers.all()) {
            ProviderGuard guard = guards.of(provider.name());
            LeaseBudget budget = LeaseBudget.of(provider.name(), properties, provider.requestTimeout(), guard
                    .bulkhead().getBulkheadConfig().getMaxWaitDuration(),
                    guard.rateLimiter().getRateLimiterConfig()
                            .getTimeoutDuration(),
                    handoff.confirmTimeout());
            budget.requireCoveredBy(properties.lease());
            LeaseBudget shutdown = LeaseBudget.forShutdown(provider.name(), properties, provider.requestTimeout(),
                    guard.bulkhead().getBulkheadConfig().getMaxWaitDuration(), guard.rateLimiter()
                            .getRateLimiterConfig().getTimeoutDuration(),
                    handoff.confirmTimeout());
            shutdown.requireShutdownGraceCovers(properties.shutdownGrace());
            Duration halfTokenLife = provider.defaultAccessTokenLifetime().dividedBy(2);
            if (budget.total().compareTo(halfTokenLife) > 0) {
                // Leases cannot end within half the token's life: a crashed worker's connections may expire first.
                log.warn("provider {}: a claim may be busy {} before its result is stored, more than half its access "
                        + "tokens' life ({}); a worker that dies during a refresh leaves the connection waiting that "
                        + "long. The steps: {}", provider.name(), LeaseBudget.text(budget.total()),
                        LeaseBudget.text(
                                provider.defaultAccessTokenLifetime()),
                        budget.describe());
            }
            log.info("provider {}: claims last {}, or half an access token's life if shorter, and at least the worst "
                    + "case between claim and store, {} = {}", provider.name(), LeaseBudget.text(properties.lease()),
                    LeaseBudget.text(budget.total()), budget.describe());
            log.info("provider {}: a stopping worker gives its refreshes under way {} to finish, at least what one "
                    + "may still need, {} = {}", provider.name(), LeaseBudget.text(properties.shutdownGrace()),
                    LeaseBudget.text(shutdown.total()), shutdown.describe());
            budgets.put(provider.name(), budget);
        }
    }

    /** The shortest lease a claim for the provider may get: its worst case, which start-up checked the lease covers. */
    Duration leaseFloor(String provider) {
        LeaseBudget budget = budgets.get(provider);
        if (budget == null) {
            throw new IllegalStateException("no lease budget for provider '" + provider + "'");
        }
        return budget.total();
    }
}
