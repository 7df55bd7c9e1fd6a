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
        Thread.ofVirtual().start(() -> {
            sleep(100);
            places.give();
        });
        assertThat(places.awaitAllFree(Duration.ofSeconds(5))).isTrue();
        assertThat(places.taken()).isZero();
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

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
