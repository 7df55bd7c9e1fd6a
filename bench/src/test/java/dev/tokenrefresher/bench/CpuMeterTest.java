package dev.tokenrefresher.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CpuMeterTest {

    @Test
    void aProcessesCpuIsItsUserAndSystemTicksCountedAfterACommandWithSpacesAndParentheses() {
        // utime 1234 and stime 567 are fields 14 and 15 of proc(5)
        String stat = "3008 (beam.smp (x) y) S 1 3008 3008 0 -1 4194560 1000 0 0 0 1234 567 0 0 20 0 30 0 900 "
                + "2000000000 50000 18446744073709551615 1 1 0 0 0 0 0 4096 1 0 0 0 17 1 0 0 0 0 0\n";

        assertThat(CpuMeter.ticks(stat)).isEqualTo(1234 + 567);
    }
}
