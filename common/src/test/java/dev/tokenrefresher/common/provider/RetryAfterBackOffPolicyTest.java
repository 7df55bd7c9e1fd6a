package dev.tokenrefresher.common.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.retry.RetryContext;
import org.springframework.retry.backoff.BackOffContext;
import org.springframework.retry.backoff.Sleeper;
import org.springframework.retry.context.RetryContextSupport;

class RetryAfterBackOffPolicyTest {

    private final List<Long> slept = new ArrayList<>();
    private final Sleeper sleeper = slept::add;
    private final RetryAfterBackOffPolicy policy = new RetryAfterBackOffPolicy(Duration.ofMillis(200), Duration
            .ofSeconds(2), sleeper);

    @Test
    void aShortRetryAfterIsWaitedInFullInsteadOfTheExponentialStep() {
        RetryContext retry = new RetryContextSupport(null);
        BackOffContext context = policy.start(retry);

        RetryAfterBackOffPolicy.askFor(retry, Duration.ofSeconds(2));
        policy.backOff(context);

        assertThat(slept).containsExactly(2000L);
    }

    @Test
    void withoutRetryAfterThePauseIsExponentialWithJitterAndTheAskIsNotCarriedOver() {
        RetryContext retry = new RetryContextSupport(null);
        BackOffContext context = policy.start(retry);

        RetryAfterBackOffPolicy.askFor(retry, Duration.ofSeconds(1));
        policy.backOff(context);
        policy.backOff(context);
        policy.backOff(context);

        assertThat(slept).hasSize(3);
        assertThat(slept.get(0)).isEqualTo(1000L);
        // the ask applied to one pause only; the next ones are the exponential steps (200 ms then 400 ms, each up to
        // twice that with jitter)
        assertThat(slept.get(1)).isBetween(200L, 400L);
        assertThat(slept.get(2)).isBetween(400L, 800L);
    }
}
