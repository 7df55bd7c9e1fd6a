package dev.tokenrefresher.sandbox.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class TailSpecTest {

    private static final TailSpec.Hang HANG_EVERY_OTHER_CALL = new TailSpec.Hang(0.125, 2, 10_000);

    private static Map<TailGroup, Long> groupsOfTheFirst(long connections, TailSpec spec) {
        return LongStream.rangeClosed(1, connections).mapToObj(spec::groupOf).collect(Collectors.groupingBy(Function
                .identity(), Collectors.counting()));
    }

    private static Set<Long> chosen(long connections, TailSpec spec, TailGroup group) {
        return LongStream.rangeClosed(1, connections).filter(n -> spec.groupOf(n) == group).boxed().collect(
                Collectors.toSet());
    }

    private static long firstIn(TailGroup group, TailSpec spec) {
        return LongStream.rangeClosed(1, 1_000).filter(n -> spec.groupOf(n) == group).findFirst().orElseThrow();
    }

    @Nested
    class WhichConnections {

        @Test
        void aShareOfConnectionsIsChosenWithinOneOfItsCountEvenForAFew() {
            TailSpec fieldReport = new TailSpec(HANG_EVERY_OTHER_CALL, null, 0);

            assertThat(groupsOfTheFirst(160, fieldReport).get(TailGroup.HANG)).isEqualTo(20);
            for (long connections : List.of(37L, 1_000L, 10_000L, 100_000L)) {
                long hanging = groupsOfTheFirst(connections, new TailSpec(new TailSpec.Hang(1.0 / 9, 2, 1), null,
                        0)).get(TailGroup.HANG);
                assertThat((double) hanging).as("of %d connections", connections).isCloseTo(connections / 9.0,
                        org.assertj.core.api.Assertions.within(1.0));
            }
        }

        @Test
        void hangingAndSlowConnectionsAreDistinctAndTheRestAreOther() {
            TailSpec spec = new TailSpec(new TailSpec.Hang(0.01, 2, 10_000), new TailSpec.Slow(0.1, 1, 2_000, 5_000),
                    0);

            Map<TailGroup, Long> groups = groupsOfTheFirst(10_000, spec);

            assertThat(groups.get(TailGroup.HANG)).isBetween(99L, 101L);
            assertThat(groups.get(TailGroup.SLOW)).isBetween(999L, 1_001L);
            assertThat(groups.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(10_000);
        }

        @Test
        void theSameConnectionsAreChosenOnEveryRunAndAnotherSeedChoosesOthers() {
            TailSpec spec = new TailSpec(HANG_EVERY_OTHER_CALL, null, 0);

            assertThat(chosen(1_000, spec, TailGroup.HANG)).isEqualTo(chosen(1_000, new TailSpec(
                    HANG_EVERY_OTHER_CALL, null, 0), TailGroup.HANG));
            assertThat(chosen(1_000, new TailSpec(HANG_EVERY_OTHER_CALL, null, 7), TailGroup.HANG)).isNotEqualTo(
                    chosen(1_000, spec, TailGroup.HANG));
        }

        @Test
        void noShareChoosesNoConnection() {
            assertThat(groupsOfTheFirst(1_000, TailSpec.OFF)).containsOnlyKeys(TailGroup.OTHER);
            assertThat(TailSpec.OFF.off()).isTrue();
            assertThat(new TailSpec(new TailSpec.Hang(0, 1, 10), null, 0).off()).isTrue();
        }
    }

    @Nested
    class WhichCalls {

        @Test
        void aHangingConnectionsFirstCallHangsThenEveryNthAndTheRestGoThrough() {
            TailSpec spec = new TailSpec(HANG_EVERY_OTHER_CALL, null, 0);
            long hanging = firstIn(TailGroup.HANG, spec);

            List<TailDecision> calls = LongStream.rangeClosed(1, 5).mapToObj(call -> spec.decide(hanging, call))
                    .toList();

            TailDecision hang = new TailDecision.Hang(Duration.ofSeconds(10), InjectedFault.hang());
            assertThat(calls).containsExactly(hang, TailDecision.UNAFFECTED, hang, TailDecision.UNAFFECTED, hang);
            assertThat(((TailDecision.Hang) calls.getFirst()).fault().status()).isEqualTo(504);
        }

        @Test
        void otherConnectionsAreNeverHit() {
            TailSpec spec = new TailSpec(new TailSpec.Hang(0.2, 1, 10_000), new TailSpec.Slow(0.2, 1, 1, 2), 0);
            long other = firstIn(TailGroup.OTHER, spec);

            assertThat(LongStream.rangeClosed(1, 100).mapToObj(call -> spec.decide(other, call))).containsOnly(
                    TailDecision.UNAFFECTED);
        }

        @Test
        void slowCallsTakeBetweenMinAndMaxBothIncludedAndTheSameTimesOnEveryRun() {
            TailSpec spec = new TailSpec(null, new TailSpec.Slow(0.5, 1, 2_000, 2_003), 0);
            List<Long> slowConnections = LongStream.rangeClosed(1, 200).filter(n -> spec.groupOf(n) == TailGroup.SLOW)
                    .boxed().toList();

            List<Long> millis = slowConnections.stream().flatMap(n -> LongStream.rangeClosed(1, 20).mapToObj(
                    call -> ((TailDecision.Slow) spec.decide(n, call)).latency().toMillis())).toList();
            List<Long> again = slowConnections.stream().flatMap(n -> LongStream.rangeClosed(1, 20).mapToObj(
                    call -> ((TailDecision.Slow) spec.decide(n, call)).latency().toMillis())).toList();

            assertThat(Set.copyOf(millis)).containsExactlyInAnyOrder(2_000L, 2_001L, 2_002L, 2_003L);
            assertThat(millis.stream().filter(m -> m == 2_000L).count()).isBetween(millis.size() / 8L, millis.size()
                    * 3L / 8);
            assertThat(again).isEqualTo(millis);
        }

        @Test
        void tailFaultsAreOffUntilSetAndOffAgainWhenCleared() {
            TailFaults tail = new TailFaults();
            tail.change(new TailSpec(new TailSpec.Hang(1.0, 1, 10), null, 0));
            TailDecision on = tail.decide(1, new Calls());
            tail.clear();

            assertThat(new TailFaults().decide(1, new Calls())).isEqualTo(TailDecision.UNAFFECTED);
            assertThat(on).isInstanceOf(TailDecision.Hang.class);
            assertThat(tail.decide(1, new Calls())).isEqualTo(TailDecision.UNAFFECTED);
            assertThat(tail.groupOf(1)).isEqualTo(TailGroup.OTHER);
        }

        @Test
        void callsAreCountedFromWhenTheTailWasSetSoItsFirstCallAfterwardsHangsWhateverCameBefore() {
            TailFaults tail = new TailFaults();
            TailSpec everyOtherCall = new TailSpec(new TailSpec.Hang(1.0, 2, 10), null, 0);
            Calls calls = new Calls();
            tail.decide(1, calls);
            tail.change(everyOtherCall);
            List<TailDecision> firstSetting = List.of(tail.decide(1, calls), tail.decide(1, calls), tail.decide(1,
                    calls));
            tail.change(everyOtherCall);

            assertThat(firstSetting).extracting(TailDecision::getClass).containsExactly(TailDecision.Hang.class,
                    TailDecision.Unaffected.class, TailDecision.Hang.class);
            assertThat(tail.decide(1, calls)).isInstanceOf(TailDecision.Hang.class);
        }
    }

    @Nested
    class Limits {

        @Test
        void sharesAddingUpToMoreThanEveryConnectionAreRefused() {
            assertThatThrownBy(() -> new TailSpec(new TailSpec.Hang(0.6, 1, 10), new TailSpec.Slow(0.5, 1, 1, 2), 0))
                    .isInstanceOf(InvalidFaultSetting.class)
                    .hasMessageContaining("hang.connectionShare + slow.connectionShare must not exceed 1.0");
        }

        @Test
        void valuesOutOfRangeAreRefusedNamingTheField() {
            assertThatThrownBy(() -> new TailSpec.Hang(1.5, 1, 10)).hasMessageContaining("hang.connectionShare");
            assertThatThrownBy(() -> new TailSpec.Hang(0.1, 0, 10)).hasMessageContaining("hang.everyCalls");
            assertThatThrownBy(() -> new TailSpec.Hang(0.1, 1, -1)).hasMessageContaining("hang.millis");
            assertThatThrownBy(() -> new TailSpec.Slow(0.1, 1, 5_000, 2_000)).hasMessageContaining(
                    "slow.minMillis must not exceed slow.maxMillis");
            assertThatThrownBy(() -> new TailSpec.Slow(0.1, 1, 0, FaultLimits.MAX_DELAY.toMillis() + 1))
                    .hasMessageContaining("slow.maxMillis");
        }
    }

    /** One connection's calls, counted as the sandbox's connections count them for the tail faults. */
    private static final class Calls implements CallCount {

        private long setting = -1;
        private long calls;

        @Override
        public long callSince(long currentSetting) {
            if (currentSetting != setting) {
                setting = currentSetting;
                calls = 0;
            }
            return ++calls;
        }
    }
}
