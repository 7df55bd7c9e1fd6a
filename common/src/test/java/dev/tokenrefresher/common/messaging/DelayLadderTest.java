package dev.tokenrefresher.common.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DelayLadderTest {

    private static final String ZEROS_27 = "0.".repeat(27);

    @Test
    void zeroDelayIsAllZerosAndGoesStraightToDelivery() {
        assertThat(DelayLadder.routingKey(0, "refresh.quickbooks")).isEqualTo(ZEROS_27 + "0.refresh.quickbooks");
        assertThat(DelayLadder.firstLevel(0)).isEqualTo(-1);
    }

    @Test
    void oneSecondSetsOnlyTheLastDigit() {
        assertThat(DelayLadder.routingKey(1, "refresh.quickbooks")).isEqualTo(ZEROS_27 + "1.refresh.quickbooks");
        assertThat(DelayLadder.firstLevel(1)).isZero();
    }

    @Test
    void fiveSecondsIsBinaryOneZeroOne() {
        assertThat(DelayLadder.routingKey(5, "refresh.q")).isEqualTo("0.".repeat(25) + "1.0.1.refresh.q");
        assertThat(DelayLadder.firstLevel(5)).isEqualTo(2);
    }

    @Test
    void threeThousandSecondsIsItsBinaryDigitsMostSignificantFirst() {
        // 3000 = 0b1011_1011_1000
        assertThat(DelayLadder.routingKey(3000, "refresh.q"))
                .isEqualTo("0.".repeat(16) + "1.0.1.1.1.0.1.1.1.0.0.0.refresh.q");
        assertThat(DelayLadder.firstLevel(3000)).isEqualTo(11);
    }

    @Test
    void longestDelayIsAllOnesAndStartsAtTheTopLevel() {
        long max = (1L << 28) - 1;
        assertThat(DelayLadder.MAX_DELAY_SECONDS).isEqualTo(max);
        assertThat(DelayLadder.routingKey(max, "refresh.q")).isEqualTo("1.".repeat(28) + "refresh.q");
        assertThat(DelayLadder.firstLevel(max)).isEqualTo(27);
    }

    @Test
    void delaysOutsideTheLadderAreRefused() {
        assertThatThrownBy(() -> DelayLadder.routingKey(1L << 28, "refresh.q"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside");
        assertThatThrownBy(() -> DelayLadder.routingKey(-1, "refresh.q"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void delaysRoundDownToWholeSecondsAndCapAtTheLadderMaximum() {
        assertThat(DelayLadder.delaySeconds(Duration.ofMillis(1))).isZero();
        assertThat(DelayLadder.delaySeconds(Duration.ofMillis(2000))).isEqualTo(2);
        assertThat(DelayLadder.delaySeconds(Duration.ofMillis(2999))).isEqualTo(2);
        assertThat(DelayLadder.delaySeconds(Duration.ofSeconds(-5))).isZero();
        assertThat(DelayLadder.delaySeconds(Duration.ofDays(365 * 20))).isEqualTo(DelayLadder.MAX_DELAY_SECONDS);
    }

    @Test
    void levelQueueMatchesOneAtItsDigitAndTheLowerExchangeZero() {
        assertThat(DelayLadder.pattern(0, '1')).isEqualTo("*.".repeat(27) + "1.#");
        assertThat(DelayLadder.pattern(27, '0')).isEqualTo("0." + "*.".repeat(27) + "#");
        assertThat(DelayLadder.deliveryPattern("refresh.q")).isEqualTo("*.".repeat(28) + "refresh.q");
    }

    @Test
    void coarseningClearsTheLowDigitsThatCostAtMostTheAllowedShareOfTheDelay() {
        // 3000 = 0b1011_1011_1000: clearing the low 8 digits cuts 184 s (<= 187.5), the 9th would cut 440
        assertThat(DelayLadder.coarsen(3000, 1.0 / 16)).isEqualTo(2816);
        // 300 = 0b1_0010_1100 -> 288 = 0b1_0010_0000, 4 levels to 2
        assertThat(DelayLadder.coarsen(300, 1.0 / 16)).isEqualTo(288);
        // 59 = 0b11_1011 -> 56; 60 = 0b11_1100 keeps its digits: clearing the 4 would cut more than 3.75 s
        assertThat(DelayLadder.coarsen(59, 1.0 / 16)).isEqualTo(56);
        assertThat(DelayLadder.coarsen(60, 1.0 / 16)).isEqualTo(60);
        assertThat(DelayLadder.coarsen(60, 1.0 / 8)).isEqualTo(56);
    }

    @Test
    void delaysUnderSixteenSecondsKeepTheirTimeAtOneSixteenth() {
        for (long delay = 0; delay < 16; delay++) {
            assertThat(DelayLadder.coarsen(delay, 1.0 / 16)).as("delay %d s", delay).isEqualTo(delay);
        }
    }

    @Test
    void aZeroFractionKeepsEveryDelay() {
        for (long delay = 0; delay < 5_000; delay++) {
            assertThat(DelayLadder.coarsen(delay, 0)).isEqualTo(delay);
        }
        assertThat(DelayLadder.coarsen(DelayLadder.MAX_DELAY_SECONDS, 0)).isEqualTo(DelayLadder.MAX_DELAY_SECONDS);
    }

    @Test
    void aCoarsenedDelayIsNeverLongerNeverCutByMoreThanItsShareAndNeverPassesMoreLevels() {
        for (double fraction : new double[]{1.0 / 16, 1.0 / 8, 0.49}) {
            for (long delay = 0; delay < 200_000; delay++) {
                long coarse = DelayLadder.coarsen(delay, fraction);
                assertThat(coarse).isLessThanOrEqualTo(delay);
                assertThat((double) (delay - coarse)).isLessThanOrEqualTo(delay * fraction);
                assertThat(Long.bitCount(coarse)).isLessThanOrEqualTo(Long.bitCount(delay));
            }
        }
    }

    @Test
    void anEarlyFractionOutsideZeroToOneHalfIsRefused() {
        assertThatThrownBy(() -> DelayLadder.coarsen(60, 0.5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("early fraction 0.5");
        assertThatThrownBy(() -> DelayLadder.coarsen(60, -0.1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DelayLadder.coarsen(60, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }
}
