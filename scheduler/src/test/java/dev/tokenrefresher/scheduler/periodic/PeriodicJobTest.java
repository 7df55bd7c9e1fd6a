package dev.tokenrefresher.scheduler.periodic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PeriodicJobTest {

    private PeriodicJob job;

    @AfterEach
    void stop() {
        if (job != null) {
            job.stop();
        }
    }

    @Test
    void aJobRunsAgainAndAgainUntilItIsStopped() {
        AtomicInteger runs = new AtomicInteger();
        job = job(true, Duration.ofMillis(20), runs::incrementAndGet);

        job.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> runs.get() >= 3);
        job.stop();
        int afterStop = runs.get();

        assertThat(job.isRunning()).isFalse();
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(1)).until(() -> runs.get() == afterStop);
    }

    @Test
    void aRunThatThrowsDoesNotCancelTheNextOnes() {
        AtomicInteger runs = new AtomicInteger();
        job = job(true, Duration.ofMillis(20), () -> {
            if (runs.incrementAndGet() == 1) {
                throw new IllegalStateException("the first run fails");
            }
        });

        job.start();

        // a scheduled executor cancels every later run of a task that threw once
        await().atMost(Duration.ofSeconds(5)).until(() -> runs.get() >= 3);
    }

    @Test
    void aTurnedOffJobNeverRuns() {
        AtomicInteger runs = new AtomicInteger();
        job = job(false, Duration.ofMillis(20), runs::incrementAndGet);

        job.start();

        assertThat(job.isRunning()).isFalse();
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(1)).until(() -> runs.get() == 0);
    }

    @Test
    void aStopInterruptsTheRunUnderWayAndWaitsForIt() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        AtomicBoolean ended = new AtomicBoolean();
        job = job(true, Duration.ofMillis(20), () -> {
            started.countDown();
            try {
                Thread.sleep(Duration.ofMinutes(1));
            } catch (InterruptedException e) {
                interrupted.set(true);
                Thread.currentThread().interrupt();
            }
            ended.set(true);
        });
        job.start();
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();

        job.stop();

        assertThat(interrupted).isTrue();
        assertThat(ended).as("the run ended before stop() returned").isTrue();
    }

    @Test
    void anIntervalThatIsNotPositiveIsRefusedWithTheJobsName() {
        assertThatThrownBy(() -> job(true, Duration.ZERO, () -> {
        })).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("test-job");
    }

    private static PeriodicJob job(boolean enabled, Duration interval, Runnable run) {
        return new PeriodicJob("test-job", enabled, Duration.ZERO, interval) {
            @Override
            protected void runOnce() {
                run.run();
            }
        };
    }
}
