package dev.tokenrefresher.scheduler.attempts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class AttemptLogPropertiesTest {

    @Test
    void unsetPropertiesTakeTheDocumentedDefaults() {
        AttemptLogProperties properties = new AttemptLogProperties(null, null, null, null, null);

        assertThat(properties.prune()).isTrue();
        assertThat(properties.retention()).isEqualTo(Duration.ofDays(30));
        assertThat(properties.batchSize()).isEqualTo(5_000);
        assertThat(properties.pauseBetweenBatches()).isEqualTo(Duration.ofMillis(100));
        assertThat(properties.checkInterval()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void aRetentionShorterThanADayIsRefusedByName() {
        assertThatThrownBy(() -> new AttemptLogProperties(true, Duration.ofHours(23), null, null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("refresher.attempts.retention").hasMessageContaining("PT23H");
    }

    @Test
    void aBatchSizeOutsideItsRangeIsRefusedByName() {
        assertThatThrownBy(() -> new AttemptLogProperties(true, null, 0, null, null))
                .hasMessageContaining("refresher.attempts.batch-size");
        assertThatThrownBy(() -> new AttemptLogProperties(true, null, 100_001, null, null))
                .hasMessageContaining("refresher.attempts.batch-size");
    }

    @Test
    void aNegativePauseOrAnEmptyIntervalIsRefusedByName() {
        assertThatThrownBy(() -> new AttemptLogProperties(true, null, null, Duration.ofMillis(-1), null))
                .hasMessageContaining("refresher.attempts.pause-between-batches");
        assertThatThrownBy(() -> new AttemptLogProperties(true, null, null, null, Duration.ZERO))
                .hasMessageContaining("refresher.attempts.check-interval");
    }
}
