package dev.tokenrefresher.worker.refresh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class PlacesTest {

    @Test
    void aTakeBeyondTheSizeWaitsForAPlaceToBeGivenBack() throws Exception {
        Places places = new Places(1);
        assertThat(places.take()).isTrue();
        AtomicReference<Boolean> second = new AtomicReference<>();
        Thread waiting = Thread.ofVirtual().start(() -> second.set(take(places)));
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(waiting::isAlive);

        places.give();

        assertThat(waiting.join(Duration.ofSeconds(2))).isTrue();
        assertThat(second.get()).isTrue();
        assertThat(places.taken()).isEqualTo(1);
    }

    @Test
    void closingLetsEveryWaiterGiveUpAndRefusesLaterTakesButKeepsThePlacesTaken() throws Exception {
        Places places = new Places(1);
        places.take();
        AtomicReference<Boolean> waiter = new AtomicReference<>();
        Thread waiting = Thread.ofVirtual().start(() -> waiter.set(take(places)));
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(waiting::isAlive);

        places.close();

        assertThat(waiting.join(Duration.ofSeconds(2))).isTrue();
        assertThat(waiter.get()).isFalse();
        assertThat(places.take()).isFalse();
        assertThat(places.taken()).isEqualTo(1);
    }

    @Test
    void awaitAllFreeReturnsOnceTheLastPlaceIsGivenBackOrWhenItsTimeIsUp() throws Exception {
        Places places = new Places(2);
        places.take();
        places.take();
        places.close();

        assertThat(places.awaitAllFree(Duration.ofMillis(100))).isFalse();
        places.give();
        assertThat(places.awaitAllFree(Duration.ZERO)).isFalse();
        AtomicReference<Boolean> allFree = new AtomicReference<>();
        Thread waiting = Thread.ofVirtual().start(() -> allFree.set(awaitAllFree(places, Duration.ofSeconds(5))));
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(waiting::isAlive);

        places.give();

        assertThat(waiting.join(Duration.ofSeconds(2))).isTrue();
        assertThat(allFree.get()).isTrue();
        assertThat(places.taken()).isZero();
    }

    @Test
    void aPauseLetsWaitersGiveUpUntilAResumeButAResumeNeverUndoesAClose() throws Exception {
        Places places = new Places(1);
        places.take();
        AtomicReference<Boolean> waiter = new AtomicReference<>();
        Thread waiting = Thread.ofVirtual().start(() -> waiter.set(take(places)));
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(waiting::isAlive);

        places.pause();

        assertThat(waiting.join(Duration.ofSeconds(2))).isTrue();
        assertThat(waiter.get()).isFalse();
        places.give();
        assertThat(places.take()).as("paused").isFalse();
        places.resume();
        assertThat(places.take()).as("resumed").isTrue();
        places.give();
        places.close();
        places.resume();
        assertThat(places.take()).as("closed, then resumed").isFalse();
    }

    @Test
    void aPlaceGivenBackThatWasNotTakenIsABug() {
        Places places = new Places(1);

        assertThatThrownBy(places::give).isInstanceOf(IllegalStateException.class);
    }

    private static boolean take(Places places) {
        try {
            return places.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static boolean awaitAllFree(Places places, Duration within) {
        try {
            return places.awaitAllFree(within);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
