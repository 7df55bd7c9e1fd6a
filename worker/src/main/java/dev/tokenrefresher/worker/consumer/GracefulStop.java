package dev.tokenrefresher.worker.consumer;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The order in which a worker stops consuming (issue 20 point 8), within one grace period
 * ({@code refresher.worker.shutdown-grace}):
 * <ol>
 * <li>take no new delivery: none is started from now on, and none is settled (the broker sends no more than the
 * prefetch to a consumer whose deliveries stay unacknowledged, so nothing piles up);
 * <li>let the refreshes under way finish: each stores what the provider issued, hands it off, or gives its claim back;
 * <li>settle each of them (publish its messages, then acknowledge or requeue it) on the channel it came on, which is
 * still open;
 * <li>only then close the consumers: {@code basic.cancel} and the channels' close, which returns every delivery that
 * was not started to the queue, for another worker.
 * </ol>
 * The consumers are closed in the end whatever the steps before came to (a grace period that ran out, an interrupt):
 * what is then still under way is settled on a closed channel, which the broker has requeued, and its fence makes the
 * redelivery a no-op.
 *
 * <p>Until issue 20, the consumers were closed first: the channels closed while refreshes were under way, and their
 * acknowledgements met closed channels (Spring's channel proxy opened a new one, on which the broker answered
 * {@code PRECONDITION_FAILED - unknown delivery tag}).
 */
final class GracefulStop {

    /** The steps, in the order {@link #run} takes them. */
    interface Steps {

        void stopTaking();

        /** @return whether every refresh under way was handled within {@code within} */
        boolean awaitHandled(Duration within) throws InterruptedException;

        /** @return whether every handled delivery was settled within {@code within} */
        boolean awaitSettled(Duration within) throws InterruptedException;

        void closeConsumers();
    }

    /**
     * What a stop came to.
     *
     * @param handled whether every refresh under way was handled within the grace period
     * @param settled whether every handled delivery was settled before the consumers closed
     * @param took from the first step to the consumers' close, by the clock
     */
    record Outcome(boolean handled, boolean settled, Duration took) {

        boolean clean() {
            return handled && settled;
        }
    }

    private GracefulStop() {
    }

    /** Takes the steps in order; the settling gets what the refreshes left of {@code grace}. */
    static Outcome run(Steps steps, Duration grace, Clock clock) {
        Instant started = clock.instant();
        Instant deadline = started.plus(grace);
        boolean handled = false;
        boolean settled = false;
        try {
            steps.stopTaking();
            handled = steps.awaitHandled(left(deadline, clock));
            // even when some refresh ran out of time, settle the ones that are done while their channels are open
            settled = steps.awaitSettled(left(deadline, clock));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            steps.closeConsumers();
        }
        return new Outcome(handled, settled, Duration.between(started, clock.instant()));
    }

    private static Duration left(Instant deadline, Clock clock) {
        Duration left = Duration.between(clock.instant(), deadline);
        return left.isNegative() ? Duration.ZERO : left;
    }
}
