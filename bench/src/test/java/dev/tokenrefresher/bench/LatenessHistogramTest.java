package dev.tokenrefresher.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LatenessHistogramTest {

    private static String scrape(int upTo10ms, int upTo1s, int upTo5s) {
        String labels = "application=\"token-refresher-worker\",provider=\"quickbooks\"";
        return "# HELP refresher_refresh_lateness_seconds Refresh start minus due time\n"
                + "refresher_refresh_lateness_seconds_bucket{" + labels + ",le=\"0.01\"} " + upTo10ms + "\n"
                + "refresher_refresh_lateness_seconds_bucket{" + labels + ",le=\"1.0\"} " + upTo1s + "\n"
                + "refresher_refresh_lateness_seconds_bucket{" + labels + ",le=\"5.0\"} " + upTo5s + "\n"
                + "refresher_refresh_lateness_seconds_bucket{" + labels + ",le=\"+Inf\"} " + upTo5s + "\n"
                + "refresher_refresh_lateness_seconds_count{" + labels + "} " + upTo5s + "\n"
                + "refresher_refreshes_total{" + labels + ",outcome=\"refreshed\"} " + upTo5s + ".0\n";
    }

    @Test
    void workersAreSummedAndQuantilesAreTheUpperBoundOfTheirBucket() {
        LatenessHistogram histogram = LatenessHistogram.empty().plus(scrape(90, 99, 100)).plus(scrape(90, 99, 100));

        assertThat(histogram.count()).isEqualTo(200);
        assertThat(histogram.quantile(0.5)).isEqualTo(0.01);
        assertThat(histogram.quantile(0.99)).isEqualTo(1.0);
        assertThat(histogram.quantile(1.0)).isEqualTo(5.0);
        assertThat(histogram.maxBound()).isEqualTo(5.0);
    }

    @Test
    void theWindowIsTheDifferenceOfTwoScrapesSoEarlierLateRefreshesDoNotCount() {
        LatenessHistogram atStart = LatenessHistogram.empty().plus(scrape(0, 10, 50));
        LatenessHistogram atEnd = LatenessHistogram.empty().plus(scrape(100, 110, 150));

        LatenessHistogram window = atEnd.minus(atStart);

        assertThat(window.count()).isEqualTo(100);
        assertThat(window.quantile(0.99)).isEqualTo(0.01);
        assertThat(window.maxBound()).isEqualTo(0.01);
        assertThat(window.perBucket()).extracting(bucket -> bucket[1]).containsExactly(100.0, 0.0, 0.0, 0.0);
    }

    @Test
    void anEmptyWindowHasNoQuantile() {
        assertThat(LatenessHistogram.empty().quantile(0.99)).isNaN();
        assertThat(LatenessHistogram.empty().count()).isZero();
    }

    @Test
    void theSweepsLatenessIsCountedIntoTheWorkersBucketsWithTheBoundInclusive() {
        LatenessHistogram workers = LatenessHistogram.empty().plus(scrape(90, 99, 100));

        LatenessHistogram sweep = LatenessHistogram.of(List.of(0.0, 0.01, 0.5, 1.0, 4.2, 7.0), workers);

        assertThat(sweep.count()).isEqualTo(6);
        assertThat(sweep.perBucket()).extracting(bucket -> bucket[1]).containsExactly(2.0, 2.0, 1.0, 1.0);
        assertThat(sweep.quantile(0.5)).isEqualTo(1.0);
        assertThat(sweep.maxBound()).isEqualTo(Double.POSITIVE_INFINITY);
    }

    @Test
    void withoutTheWorkersBucketsTheSweepsLatenessFallsIntoOneUnboundedBucket() {
        LatenessHistogram sweep = LatenessHistogram.of(List.of(0.2, 3.0), LatenessHistogram.empty());

        assertThat(sweep.count()).isEqualTo(2);
        assertThat(sweep.quantile(0.5)).isEqualTo(Double.POSITIVE_INFINITY);
    }
}
