package dev.tokenrefresher.worker.refresh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.QueryTimeoutException;

class GroupedStatementTest {

    private static final Runnable UNCOUNTED = () -> {
    };

    private final ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor();
    private final List<List<Integer>> statements = Collections.synchronizedList(new ArrayList<>());
    private final CountDownLatch firstStatementMayFinish = new CountDownLatch(1);

    @AfterEach
    void closeCallers() {
        firstStatementMayFinish.countDown();
        callers.close();
    }

    /** Answers ten times each row; the first statement waits for the latch, so that rows queue up behind it. */
    private final Function<List<Integer>, List<Integer>> timesTen = rows -> {
        statements.add(rows);
        if (statements.size() == 1) {
            awaitLatch();
        }
        return rows.stream().map(row -> row * 10).toList();
    };

    @Test
    void rowsThatQueueWhileAStatementRunsGoOutTogetherInTheNextOne() throws Exception {
        try (GroupedStatement<Integer, Integer> grouped = new GroupedStatement<>("test", timesTen, 100,
                InfrastructureRetry::isDatabaseDown, null, UNCOUNTED)) {
            Future<Integer> first = startFirstStatement(grouped, 1);
            List<Future<Integer>> queued = queueBehindIt(grouped, 2, 6);

            firstStatementMayFinish.countDown();

            assertThat(first.get()).isEqualTo(10);
            for (int i = 0; i < queued.size(); i++) {
                assertThat(queued.get(i).get()).isEqualTo((i + 2) * 10);
            }
            assertThat(statements).hasSize(2);
            assertThat(statements.get(1)).containsExactlyInAnyOrder(2, 3, 4, 5, 6);
        }
    }

    @Test
    void aRowStillQueuedAfterTheMaxWaitFailsTransientlyUnwrittenWhileARowAlreadyInAStatementWaitsForIt()
            throws Exception {
        try (GroupedStatement<Integer, Integer> grouped = new GroupedStatement<>("test", timesTen, 100,
                InfrastructureRetry::isDatabaseDown, Duration.ofMillis(200), UNCOUNTED)) {
            Future<Integer> first = startFirstStatement(grouped, 1);
            Future<Integer> queued = callers.submit(() -> grouped.run(2));

            // the statement ahead is still running: the queued row gives up, and its caller's retry goes on
            assertThatThrownBy(queued::get).cause().isInstanceOf(QueryTimeoutException.class)
                    .hasMessage("the row waited 200 ms for the test statement ahead of it; it was not written")
                    .matches(InfrastructureRetry::isDatabaseDown);
            assertThat(grouped.queued()).isZero();
            firstStatementMayFinish.countDown();

            assertThat(first.get()).isEqualTo(10);
            assertThat(statements).containsExactly(List.of(1));
        }
    }

    @Test
    void noStatementCarriesMoreThanMaxRows() throws Exception {
        try (GroupedStatement<Integer, Integer> grouped = new GroupedStatement<>("test", timesTen, 3,
                InfrastructureRetry::isDatabaseDown, null, UNCOUNTED)) {
            Future<Integer> first = startFirstStatement(grouped, 0);
            List<Future<Integer>> queued = queueBehindIt(grouped, 1, 7);

            firstStatementMayFinish.countDown();
            first.get();
            for (Future<Integer> row : queued) {
                row.get();
            }

            assertThat(statements).extracting(List::size).containsExactly(1, 3, 3, 1);
        }
    }

    @Test
    void aFailedStatementFailsEveryRowItCarriedWithItsExceptionAndTheNextStatementRuns() throws Exception {
        DataAccessResourceFailureException databaseDown = new DataAccessResourceFailureException("database down");
        Function<List<Integer>, List<Integer>> failsOnce = rows -> {
            statements.add(rows);
            if (statements.size() == 1) {
                awaitLatch();
            }
            if (statements.size() == 2) {
                throw databaseDown;
            }
            return rows;
        };
        try (GroupedStatement<Integer, Integer> grouped = new GroupedStatement<>("test", failsOnce, 100,
                InfrastructureRetry::isDatabaseDown, null, UNCOUNTED)) {
            Future<Integer> first = callers.submit(() -> grouped.run(1));
            await().until(() -> statements.size() == 1);
            List<Future<Integer>> failing = List.of(callers.submit(() -> grouped.run(2)), callers.submit(
                    () -> grouped.run(3)));
            await().until(() -> grouped.queued() == 2);

            firstStatementMayFinish.countDown();

            assertThat(first.get()).isEqualTo(1);
            for (Future<Integer> row : failing) {
                assertThatThrownBy(row::get).hasCause(databaseDown);
            }
            assertThat(grouped.run(4)).isEqualTo(4);
        }
    }

    @Test
    void aBadRowFailsOnlyItselfTheOtherRowsOfItsStatementAreWrittenOneByOne() throws Exception {
        DataIntegrityViolationException outOfRange = new DataIntegrityViolationException("timestamp out of range");
        Function<List<Integer>, List<Integer>> refusesThirteen = rows -> {
            statements.add(rows);
            if (statements.size() == 1) {
                awaitLatch();
            }
            if (rows.contains(13)) {
                throw outOfRange;
            }
            return rows.stream().map(row -> row * 10).toList();
        };
        AtomicInteger splits = new AtomicInteger();
        try (GroupedStatement<Integer, Integer> grouped = new GroupedStatement<>("test", refusesThirteen, 100,
                InfrastructureRetry::isDatabaseDown, null, splits::incrementAndGet)) {
            Future<Integer> first = callers.submit(() -> grouped.run(1));
            await().until(() -> statements.size() == 1);
            List<Future<Integer>> rows = List.of(callers.submit(() -> grouped.run(12)), callers.submit(() -> grouped
                    .run(13)), callers.submit(() -> grouped.run(14)));
            await().until(() -> grouped.queued() == 3);

            firstStatementMayFinish.countDown();

            assertThat(first.get()).isEqualTo(10);
            assertThat(rows.get(0).get()).isEqualTo(120);
            assertThatThrownBy(rows.get(1)::get).hasCause(outOfRange);
            assertThat(rows.get(2).get()).isEqualTo(140);
            // the three went out together, failed, and then one by one
            List<List<Integer>> after = statements.subList(1, statements.size());
            assertThat(after).hasSize(4);
            assertThat(after.getFirst()).containsExactlyInAnyOrder(12, 13, 14);
            assertThat(after.subList(1, 4)).containsExactly(List.of(after.getFirst().get(0)), List.of(after.getFirst()
                    .get(1)), List.of(after.getFirst().get(2)));
            assertThat(splits).hasValue(1);
        }
    }

    @Test
    void aStatementThatAnswersTooFewResultsFailsItsRowsAndTheDrainerCarriesOn() throws Exception {
        try (GroupedStatement<Integer, Integer> grouped = new GroupedStatement<>("test", rows -> rows.contains(13)
                ? List.of()
                : rows, 100, InfrastructureRetry::isDatabaseDown, null, UNCOUNTED)) {
            assertThatThrownBy(() -> grouped.run(13)).isInstanceOf(IllegalStateException.class)
                    .hasMessage("a test statement answered 0 results for 1 rows");
            assertThat(grouped.run(14)).isEqualTo(14);
        }
    }

    @Test
    void oneRowPerStatementRunsOnTheCallersThread() {
        List<Thread> ranOn = new ArrayList<>();
        try (GroupedStatement<Integer, Integer> grouped = new GroupedStatement<>("test", rows -> {
            ranOn.add(Thread.currentThread());
            return rows;
        }, 1, InfrastructureRetry::isDatabaseDown, null, UNCOUNTED)) {
            assertThat(grouped.run(7)).isEqualTo(7);
        }
        assertThat(ranOn).containsExactly(Thread.currentThread());
    }

    @Test
    void closingWritesTheRowsQueuedSoFarAndRefusesLaterOnes() throws Exception {
        GroupedStatement<Integer, Integer> grouped = new GroupedStatement<>("test", timesTen, 100,
                InfrastructureRetry::isDatabaseDown, null, UNCOUNTED);
        Future<Integer> first = callers.submit(() -> grouped.run(1));
        await().until(() -> statements.size() == 1);
        Future<Integer> queued = callers.submit(() -> grouped.run(2));
        await().until(() -> grouped.queued() == 1);

        Future<?> closing = callers.submit(grouped::close);
        await().until(() -> grouped.queued() == 2);
        firstStatementMayFinish.countDown();
        closing.get();

        assertThat(first.get()).isEqualTo(10);
        assertThat(queued.get()).isEqualTo(20);
        assertThatThrownBy(() -> grouped.run(3)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("the test statements are closed");
    }

    /** Starts a statement for {@code row} that runs until the latch opens. */
    private Future<Integer> startFirstStatement(GroupedStatement<Integer, Integer> grouped, int row) {
        Future<Integer> first = callers.submit(() -> grouped.run(row));
        await().until(() -> statements.size() == 1);
        return first;
    }

    /** Hands in the rows from {@code from} to {@code to}, each from its own caller, and waits until all are queued. */
    private List<Future<Integer>> queueBehindIt(GroupedStatement<Integer, Integer> grouped, int from, int to) {
        List<Future<Integer>> queued = IntStream.rangeClosed(from, to).mapToObj(row -> callers.submit(() -> grouped
                .run(row))).toList();
        await().until(() -> grouped.queued() == queued.size());
        return queued;
    }

    private void awaitLatch() {
        try {
            firstStatementMayFinish.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
