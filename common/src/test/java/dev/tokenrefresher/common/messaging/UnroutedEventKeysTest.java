package dev.tokenrefresher.common.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class UnroutedEventKeysTest {

    private static final Instant T0 = Instant.parse("2026-11-29T12:00:00Z");
    private static final String REFRESHED = "connection.refreshed.quickbooks";
    private static final String REAUTH = "connection.reauth_required.quickbooks";

    private final UnroutedEventKeys keys = new UnroutedEventKeys(Duration.ofSeconds(1));

    @Test
    void aKeyTheBrokerNeverReturnedIsAlwaysPublished() {
        assertThat(keys.shouldPublish(REFRESHED, T0)).isTrue();
        assertThat(keys.shouldPublish(REFRESHED, T0)).isTrue();
    }

    @Test
    void aReturnedKeyIsDroppedUntilItsProbeIsDueAndPublishedAgainFromThen() {
        keys.returned(REFRESHED, T0);

        assertThat(keys.shouldPublish(REFRESHED, T0)).isFalse();
        assertThat(keys.shouldPublish(REFRESHED, T0.plusMillis(999))).isFalse();
        assertThat(keys.shouldPublish(REFRESHED, T0.plusSeconds(1))).isTrue();
        // until the broker returns the probe, a queue may be bound: the key's events go out
        assertThat(keys.shouldPublish(REFRESHED, T0.plusSeconds(1))).isTrue();
    }

    @Test
    void aReturnedKeyDropsNoOtherKeysEvents() {
        keys.returned(REFRESHED, T0);

        assertThat(keys.shouldPublish(REAUTH, T0)).isTrue();
    }

    @Test
    void aZeroProbeIntervalPublishesEveryEvent() {
        UnroutedEventKeys always = new UnroutedEventKeys(Duration.ZERO);

        always.returned(REFRESHED, T0);

        assertThat(always.shouldPublish(REFRESHED, T0)).isTrue();
    }
}
