package dev.tokenrefresher.worker.refresh;

import dev.tokenrefresher.common.provider.ErrorClass;
import dev.tokenrefresher.common.provider.ProviderSettings;
import dev.tokenrefresher.common.provider.RefreshResult;
import dev.tokenrefresher.common.provider.RetryAfterBackOffPolicy;
import dev.tokenrefresher.common.provider.TokenEndpointClient;
import dev.tokenrefresher.common.resilience.ProviderBreakers;
import dev.tokenrefresher.worker.resilience.ProviderGuard;
import dev.tokenrefresher.worker.resilience.ProviderGuards;
import java.time.Duration;
import java.util.function.Consumer;
import org.springframework.retry.RetryContext;
import org.springframework.retry.support.RetryTemplate;
import org.springframework.stereotype.Component;

/**
 * A refresh-token request with everything around it: the provider's bulkhead, circuit breaker and rate limiter let
 * each call through or not, and a transient failure is retried at once a few times (spring-retry, exponential
 * back-off with jitter, or the provider's {@code Retry-After} when it gave one) before the worker falls back to a
 * delayed retry through the ladder. Never a call the provider may still be serving (a timeout, a 504,
 * {@link RefreshResult.Failed#mayStillRun()}): a retry at once would overlap it with the same refresh token, and a
 * provider that serves the first one first ends the chain. That retry waits the provider's quiet period (issue 19,
 * point 2). Nor once the worker is stopping: the shutdown grace covers the call under way, not another one, so the
 * failure goes the delayed way (issue 20 point 8).
 */
@Component
class GuardedProviderCall {

    private static final String LAST_FAILURE = "lastFailure";

    private final TokenEndpointClient client;
    private final ProviderGuards guards;
    private final RetryTemplate fastRetries;
    private final int attempts;
    private final Duration maxFastBackoff;
    private final StopSignal stop;

    GuardedProviderCall(TokenEndpointClient client, ProviderGuards guards, WorkerProperties properties,
            StopSignal stop) {
        this.client = client;
        this.guards = guards;
        this.stop = stop;
        this.attempts = properties.fastRetries();
        this.maxFastBackoff = properties.fastRetryMaxBackoff();
        this.fastRetries = RetryTemplate.builder()
                .maxAttempts(properties.fastRetries())
                .customBackoff(new RetryAfterBackOffPolicy(properties.fastRetryBackoff(), properties
                        .fastRetryMaxBackoff()))
                .retryOn(RetryableFailure.class)
                .build();
    }

    /** What came of it: the provider's (last) answer, or the reason no call was made at all. */
    sealed interface Outcome {
        record Answered(RefreshResult result) implements Outcome {
        }

        /** @param reason {@code circuit_open}, {@code rate_limited} or {@code bulkhead_full} */
        record NotCalled(String reason) implements Outcome {
        }
    }

    /**
     * @param retriedFailure told about each transient failure that is retried at once, so that it is recorded
     */
    Outcome call(ProviderSettings provider, String refreshToken, Consumer<RefreshResult.Failed> retriedFailure) {
        ProviderGuard guard = guards.of(provider.name());
        return fastRetries.execute(context -> {
            Outcome outcome = callOnce(provider, guard, refreshToken);
            RefreshResult.Failed lastFailure = (RefreshResult.Failed) context.getAttribute(LAST_FAILURE);
            if (outcome instanceof Outcome.NotCalled && lastFailure != null) {
                // The breaker opened or the limiter ran dry between fast retries: the last answer stands.
                return new Outcome.Answered(lastFailure);
            }
            if (outcome instanceof Outcome.Answered(RefreshResult.Failed failed)
                    && failed.errorClass() == ErrorClass.TRANSIENT && !failed.mayStillRun() && !isLastAttempt(context)
                    && !asksForLongerPause(failed) && !stop.raised()) {
                context.setAttribute(LAST_FAILURE, failed);
                RetryAfterBackOffPolicy.askFor(context, failed.retryAfter());
                retriedFailure.accept(failed);
                throw new RetryableFailure();
            }
            return outcome;
        });
    }

    /** A provider that says "Retry-After: 60" gets its minute, through the ladder, not a fast retry. */
    private boolean asksForLongerPause(RefreshResult.Failed failed) {
        return failed.retryAfter() != null && failed.retryAfter().compareTo(maxFastBackoff) > 0;
    }

    private boolean isLastAttempt(RetryContext context) {
        return context.getRetryCount() + 1 >= attempts;
    }

    private Outcome callOnce(ProviderSettings provider, ProviderGuard guard, String refreshToken) {
        if (!guard.bulkhead().tryAcquirePermission()) {
            return new Outcome.NotCalled("bulkhead_full");
        }
        try {
            if (!guard.circuitBreaker().tryAcquirePermission()) {
                return new Outcome.NotCalled("circuit_open");
            }
            if (!guard.rateLimiter().acquirePermission()) {
                guard.circuitBreaker().releasePermission();
                return new Outcome.NotCalled("rate_limited");
            }
            RefreshResult result;
            try {
                result = client.refresh(provider, refreshToken);
            } catch (RuntimeException bug) {
                guard.circuitBreaker().releasePermission();
                throw bug;
            }
            ProviderBreakers.record(guard.circuitBreaker(), provider.name(), result);
            return new Outcome.Answered(result);
        } finally {
            guard.bulkhead().onComplete();
        }
    }

    /** Marks a transient answer for spring-retry; carries nothing, the answer is in the retry context. */
    private static final class RetryableFailure extends RuntimeException {
        RetryableFailure() {
            super(null, null, false, false);
        }
    }
}
