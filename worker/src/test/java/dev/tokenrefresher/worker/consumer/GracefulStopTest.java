package dev.tokenrefresher.worker.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenrefresher.common.test.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 20 point 8: the consumers close last, after the refreshes under way were handled and settled, and the whole
 * stop keeps to one grace period. The steps are scripted; the clock is the test's.
 */
class GracefulStopTest {

    private static final Duration GRACE = Duration.ofSeconds(40);

    private final SettableClock clock = new SettableClock(Instant.parse("2026-12-07T10:00:00Z"));
    private final List<String> steps = new ArrayList<>();

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    @Test
    void theConsumersCloseLastAfterTheRefreshesWereHandledAndSettled() {
        GracefulStop.Outcome outcome = GracefulStop.run(new Scripted(Duration.ofSeconds(3), true, Duration
                .ofMillis(200), true), GRACE, clock);

        assertThat(steps).containsExactly("stop taking", "await handled within 40s", "await settled within 37s",
                "close consumers");
        assertThat(outcome.clean()).isTrue();
        assertThat(outcome.took()).isEqualTo(Duration.ofMillis(3_200));
    }

    @Test
    void theSettlingGetsWhatTheRefreshesLeftOfTheGraceAndTheConsumersCloseWhenItRanOut() {
        GracefulStop.Outcome outcome = GracefulStop.run(new Scripted(GRACE, false, Duration.ZERO, false), GRACE,
                clock);

        assertThat(steps).containsExactly("stop taking", "await handled within 40s", "await settled within 0s",
                "close consumers");
        assertThat(outcome.handled()).isFalse();
        assertThat(outcome.clean()).isFalse();
        assertThat(outcome.took()).isEqualTo(GRACE);
    }

    @Test
    void aRefreshThatRanLongerThanTheGraceLeavesNoNegativeWait() {
        GracefulStop.run(new Scripted(GRACE.plusSeconds(5), false, Duration.ZERO, false), GRACE, clock);

        assertThat(steps).contains("await settled within 0s");
    }

    @Test
    void anInterruptedStopStillClosesTheConsumersAndKeepsTheInterrupt() {
        GracefulStop.Outcome outcome = GracefulStop.run(new Scripted(Duration.ZERO, true, Duration.ZERO, true) {
            @Override
            public boolean awaitHandled(Duration within) throws InterruptedException {
                steps.add("await handled within " + within.toSeconds() + "s");
                throw new InterruptedException("the JVM is going down");
            }
        }, GRACE, clock);

        assertThat(steps).containsExactly("stop taking", "await handled within 40s", "close consumers");
        assertThat(outcome.clean()).isFalse();
        assertThat(Thread.currentThread().isInterrupted()).isTrue();
    }

    /** Each wait takes its time on the test's clock and answers as told. */
    private class Scripted implements GracefulStop.Steps {

        private final Duration handling;
        private final boolean handled;
        private final Duration settling;
        private final boolean settled;

        Scripted(Duration handling, boolean handled, Duration settling, boolean settled) {
            this.handling = handling;
            this.handled = handled;
            this.settling = settling;
            this.settled = settled;
        }

        @Override
        public void stopTaking() {
            steps.add("stop taking");
        }

        @Override
        public boolean awaitHandled(Duration within) throws InterruptedException {
            steps.add("await handled within " + within.toSeconds() + "s");
            clock.advance(handling);
            return handled;
        }

        @Override
        public boolean awaitSettled(Duration within) throws InterruptedException {
            steps.add("await settled within " + within.toSeconds() + "s");
            clock.advance(settling);
            return settled;
        }

        @Override
        public void closeConsumers() {
            steps.add("close consumers");
        }
    }
}
