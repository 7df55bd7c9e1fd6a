package dev.tokenrefresher.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TailCaseTest {

    @Test
    void namesSayTheSharesOfCallsThatHangAndThatAreSlow() {
        assertThat(TailCase.parse("hang10")).isEqualTo(new TailCase("hang10", 0.10, 0));
        assertThat(TailCase.parse("hang1-slow10")).isEqualTo(new TailCase("hang1-slow10", 0.01, 0.10));
        assertThat(TailCase.parse("slow2.5")).isEqualTo(new TailCase("slow2.5", 0, 0.025));
    }

    @Test
    void aHangingConnectionMakesTwoCallsARefreshSoOneInNineHangsForTenPercentOfCalls() {
        TailCase hang10 = TailCase.parse("hang10");
        TailCase both = TailCase.parse("hang1-slow10");

        assertThat(hang10.hangConnectionShare()).isCloseTo(1.0 / 9, within(1e-12));
        // 1 + h calls per round of refreshes: h / (1 + h) = 1 %, s / (1 + h) = 10 %
        double h = both.hangConnectionShare();
        assertThat(h / (1 + h)).isCloseTo(0.01, within(1e-12));
        assertThat(both.slowConnectionShare() / (1 + h)).isCloseTo(0.10, within(1e-12));
    }

    @Test
    void theSandboxHoldsAHungCallForTheRequestTimeoutAndSlowsCallsTwoToFiveSeconds() {
        assertThat(TailCase.parse("hang1-slow10").sandboxTail(Duration.ofSeconds(10))).isEqualTo(
                "{\"hang\":{\"connectionShare\":0.010101,\"everyCalls\":2,\"millis\":10000},"
                        + "\"slow\":{\"connectionShare\":0.101010,\"everyCalls\":1,\"minMillis\":2000,"
                        + "\"maxMillis\":5000},\"seed\":0}");
        assertThat(TailCase.parse("hang10").sandboxTail(Duration.ofSeconds(6))).doesNotContain("slow");
    }

    @Test
    void aNameThatSaysNoTailOrMoreThanEveryConnectionIsRefused() {
        assertThatThrownBy(() -> TailCase.parse("")).hasMessageContaining("hang10, hang1-slow10 or slow10");
        assertThatThrownBy(() -> TailCase.parse("hang")).hasMessageContaining("not hang");
        assertThatThrownBy(() -> TailCase.parse("hang0")).hasMessageContaining("a tail needs");
        assertThatThrownBy(() -> TailCase.parse("hang100")).hasMessageContaining("a tail needs");
        assertThatThrownBy(() -> TailCase.parse("hang40-slow40")).hasMessageContaining("more than every connection");
    }
}
