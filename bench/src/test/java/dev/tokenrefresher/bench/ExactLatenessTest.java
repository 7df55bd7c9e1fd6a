package dev.tokenrefresher.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ExactLatenessTest {

    @Test
    void quantilesAreTheNearestRankOfTheSamplesInAnyOrder() {
        List<Double> late = IntStream.rangeClosed(1, 200).mapToObj(i -> (201 - i) / 100.0).toList();

        ExactLateness exact = ExactLateness.of(late);

        assertThat(exact.p50()).isEqualTo(1.0);
        assertThat(exact.p99()).isEqualTo(1.98);
        assertThat(exact.max()).isEqualTo(2.0);
        assertThat(exact).hasToString("p50 1.000 s, p99 1.980 s, max 2.000 s");
    }

    @Test
    void noSamplesHaveNoQuantiles() {
        assertThat(ExactLateness.of(List.of())).isNull();
    }
}
