package dev.tokenrefresher.scheduler.reauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReauthPropertiesTest {

    @Test
    void theThresholdsComeNearestFirstWhateverOrderTheyAreGivenIn() {
        assertThat(new ReauthProperties(null, null, null).warnDays()).containsExactly(1, 7, 30);
        assertThat(new ReauthProperties(null, List.of(14, 2, 14, 60), null).warnDays()).containsExactly(2, 14, 60);
        assertThat(new ReauthProperties(null, null, null).checkInterval()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void aThresholdOfZeroDaysOrAnIntervalOfZeroIsRefusedNamingTheProperty() {
        assertThatThrownBy(() -> new ReauthProperties(null, List.of(0, 7), null)).hasMessageContaining(
                "refresher.reauth.warn-days");
        assertThatThrownBy(() -> new ReauthProperties(null, null, Duration.ZERO)).hasMessageContaining(
                "refresher.reauth.check-interval");
    }
}
