package dev.tokenrefresher.sandbox.token;

import java.time.Duration;

import org.springframework.stereotype.Component;

@Component
class SleepingPause implements Pause {

    @Override
    public void pause(Duration duration) {
        if (duration.isZero()) {
            return;
        }
        try {
            Thread.sleep(duration);
        } catch (InterruptedException shuttingDown) {
            // answer at once and let the caller see the interrupt
            Thread.currentThread().interrupt();
        }
    }
}
