package dev.tokenrefresher.common.provider;

import java.time.Duration;
import org.springframework.retry.RetryContext;
import org.springframework.retry.backoff.BackOffContext;
import org.springframework.retry.backoff.BackOffInterruptedException;
import org.springframework.retry.backoff.BackOffPolicy;
import org.springframework.retry.backoff.ExponentialRandomBackOffPolicy;
import org.springframework.retry.backoff.Sleeper;
import org.springframework.retry.backoff.ThreadWaitSleeper;

/**
 * The pause between fast retries of a provider call: exponential with jitter, unless the provider said how long to
 * wait. A {@code 429} with {@code Retry-After: 2} is retried after two seconds, not after the 0.2 s the exponential
 * step would take (the provider would only refuse again, and a provider that sees its {@code Retry-After} ignored may
 * block the client). The retry callback leaves the provider's answer in the retry context with
 * {@link #askFor(RetryContext, Duration)}; callers decide beforehand whether a pause that long is worth waiting for.
 */
public final class RetryAfterBackOffPolicy implements BackOffPolicy {

    static final String RETRY_AFTER = RetryAfterBackOffPolicy.class.getName() + ".retryAfter";

    private final ExponentialRandomBackOffPolicy exponential = new ExponentialRandomBackOffPolicy();
    private final Sleeper sleeper;

    /**
     * @param initial the first pause when the provider says nothing; it doubles, with jitter, up to {@code max}
     */
    public RetryAfterBackOffPolicy(Duration initial, Duration max, Sleeper sleeper) {
        this.sleeper = sleeper;
        exponential.setInitialInterval(initial.toMillis());
        exponential.setMultiplier(2.0);
        exponential.setMaxInterval(max.toMillis());
        exponential.setSleeper(sleeper);
    }

    public RetryAfterBackOffPolicy(Duration initial, Duration max) {
        this(initial, max, new ThreadWaitSleeper());
    }

    /** Records the provider's {@code Retry-After} for the pause before the next attempt; {@code null} for none. */
    public static void askFor(RetryContext context, Duration retryAfter) {
        context.setAttribute(RETRY_AFTER, retryAfter);
    }

    @Override
    public BackOffContext start(RetryContext context) {
        return new Context(context, exponential.start(context));
    }

    @Override
    public void backOff(BackOffContext backOffContext) throws BackOffInterruptedException {
        Context context = (Context) backOffContext;
        Duration asked = (Duration) context.retry().getAttribute(RETRY_AFTER);
        context.retry().removeAttribute(RETRY_AFTER);
        if (asked == null || asked.isZero() || asked.isNegative()) {
            exponential.backOff(context.exponential());
            return;
        }
        try {
            sleeper.sleep(asked.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackOffInterruptedException("interrupted while waiting the provider's Retry-After", e);
        }
    }

    private record Context(RetryContext retry, BackOffContext exponential) implements BackOffContext {
    }
}
