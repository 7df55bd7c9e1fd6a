package dev.tokenrefresher.common.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class MessagingPropertiesTest {

    @Test
    void unsetValuesTakeTheirDefaults() {
        MessagingProperties properties = new MessagingProperties(null, null, null, null, null, null, null);

        assertThat(properties.prefix()).isEqualTo(MessagingProperties.DEFAULT_PREFIX);
        assertThat(properties.deliveryLimit()).isEqualTo(MessagingProperties.DEFAULT_DELIVERY_LIMIT);
        assertThat(properties.confirmTimeout()).isEqualTo(MessagingProperties.DEFAULT_CONFIRM_TIMEOUT);
        assertThat(properties.ladderQueueType()).isEqualTo(LadderQueueType.QUORUM);
        assertThat(properties.ladderEarlyFraction()).isEqualTo(1.0 / 16);
        assertThat(properties.eventProbeInterval()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void aNegativeEventProbeIntervalIsRefusedNamingTheSetting() {
        assertThatThrownBy(() -> new MessagingProperties(null, null, null, null, null, Duration.ofSeconds(-1), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("refresher.messaging.event-probe-interval must not be negative, was PT-1S");
    }

    @Test
    void aLadderEarlyFractionOfOneHalfOrMoreIsRefusedNamingTheSetting() {
        assertThatThrownBy(() -> new MessagingProperties(null, null, null, null, 0.5, null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("refresher.messaging.ladder-early-fraction must be at least 0 and below 0.5, was 0.5");
        assertThatThrownBy(() -> new MessagingProperties(null, null, null, null, -0.01, null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ladder-early-fraction");
    }

    @Test
    void aZeroLadderEarlyFractionIsAllowed() {
        assertThat(new MessagingProperties(null, null, null, null, 0.0, null, null).ladderEarlyFraction()).isZero();
    }
}
