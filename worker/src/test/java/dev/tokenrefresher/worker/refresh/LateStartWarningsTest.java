package dev.tokenrefresher.worker.refresh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenrefresher.common.test.SettableClock;
import dev.tokenrefresher.worker.refresh.LateStartWarnings.LateStarts;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

@ExtendWith(OutputCaptureExtension.class)
class LateStartWarningsTest {

    private static final Instant START = Instant.parse("2026-12-01T10:00:00Z");
    private static final Duration THRESHOLD = Duration.ofSeconds(30);

    private final SettableClock clock = new SettableClock(START);
    private final LateStartWarnings warnings = new LateStartWarnings(THRESHOLD, clock);

    @Test
    void startsAtOrUnderTheThresholdAreNeverReported() {
        assertThat(warnings.record("quickbooks", Duration.ofSeconds(2))).isEmpty();
        assertThat(warnings.record("quickbooks", THRESHOLD)).isEmpty();
        clock.advance(Duration.ofHours(1));
        assertThat(warnings.record("quickbooks", Duration.ZERO)).isEmpty();
    }

    @Test
    void theFirstLateStartIsReportedAtOnceCountingFromTheWorkersStart() {
        clock.advance(Duration.ofMinutes(5));

        assertThat(warnings.record("quickbooks", Duration.ofMillis(38_700))).contains(new LateStarts(1, Duration
                .ofMillis(38_700), START));
    }

    @Test
    void lateStartsWithinTheIntervalAreHeldBackAndReportedTogetherWithTheWorst() {
        Instant firstLine = firstLine();

        clock.advance(Duration.ofSeconds(10));
        assertThat(warnings.record("quickbooks", Duration.ofSeconds(95))).isEmpty();
        clock.advance(Duration.ofSeconds(20));
        assertThat(warnings.record("quickbooks", Duration.ofSeconds(31))).isEmpty();
        clock.advance(LateStartWarnings.INTERVAL.minusSeconds(30));

        assertThat(warnings.record("quickbooks", Duration.ofSeconds(45))).contains(line(3, 95, firstLine));
    }

    @Test
    void anOnTimeStartAfterTheIntervalReportsWhatWasHeldBack() {
        Instant firstLine = firstLine();
        clock.advance(Duration.ofSeconds(1));
        warnings.record("quickbooks", Duration.ofSeconds(50));
        clock.advance(LateStartWarnings.INTERVAL);

        assertThat(warnings.record("quickbooks", Duration.ofMillis(20))).contains(line(1, 50, firstLine));
        clock.advance(LateStartWarnings.INTERVAL);
        assertThat(warnings.record("quickbooks", Duration.ofMillis(20))).as("nothing owed any more").isEmpty();
    }

    @Test
    void eachProviderHasItsOwnInterval() {
        assertThat(warnings.record("quickbooks", Duration.ofSeconds(40))).isPresent();

        assertThat(warnings.record("xero", Duration.ofSeconds(35))).contains(line(1, 35, START));
        assertThat(warnings.record("quickbooks", Duration.ofSeconds(40))).isEmpty();
    }

    @Test
    void aLateStartAfterAQuietSpellIsReportedAtOnce() {
        firstLine();
        clock.advance(Duration.ofHours(2));
        Instant now = clock.instant();

        assertThat(warnings.record("quickbooks", Duration.ofSeconds(60))).contains(line(1, 60, START));
        clock.advance(Duration.ofSeconds(1));
        warnings.record("quickbooks", Duration.ofSeconds(61));
        clock.advance(LateStartWarnings.INTERVAL);
        assertThat(warnings.record("quickbooks", Duration.ZERO)).map(LateStarts::since).contains(now);
    }

    @Test
    void theLineSaysHowManyTheWorstAndWhichSettingSetsTheThreshold(CapturedOutput output) {
        warnings.started("quickbooks", Duration.ofMillis(95_300));

        assertThat(output.getOut()).contains("WARN", "1 refresh(es) of provider quickbooks started more than 30.0 s "
                + "after their due time since 2026-12-01T10:00:00Z, the worst 95.3 s late",
                "refresher.worker.late-warning");
    }

    /** A late start that makes the first line of quickbooks now; returns when. */
    private Instant firstLine() {
        assertThat(warnings.record("quickbooks", Duration.ofSeconds(40))).isPresent();
        return clock.instant();
    }

    private static LateStarts line(int count, long worstSeconds, Instant since) {
        return new LateStarts(count, Duration.ofSeconds(worstSeconds), since);
    }
}
