package dev.tokenrefresher.common.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenrefresher.common.test.RabbitFixtures;
import dev.tokenrefresher.common.test.TestServices;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;

/**
 * Every quorum queue states {@code x-quorum-initial-group-size} only when a size is configured: stating it where an
 * existing installation's queues were declared without it would fail their redeclaration (RabbitMQ compares it).
 */
class QuorumGroupSizeTest {

    private static final String PROVIDER = "group-size-test";
    private static final String GROUP_SIZE = "x-quorum-initial-group-size";

    @Test
    void noQueueStatesAGroupSizeByDefaultSoThatExistingQueuesStillRedeclare() {
        RefresherTopology topology = new RefresherTopology(new MessagingProperties("group-size", null, null, null,
                null, null, null));

        assertThat(queues(topology)).allSatisfy(queue -> assertThat(queue.getArguments()).doesNotContainKey(
                GROUP_SIZE));
    }

    @Test
    void everyQuorumQueueStatesTheConfiguredGroupSize() {
        RefresherTopology topology = new RefresherTopology(properties("group-size", 3));

        List<Queue> queues = queues(topology);

        assertThat(queues).hasSize(DelayLadder.DIGITS + 5);
        assertThat(queues).allSatisfy(queue -> assertThat(queue.getArguments()).containsEntry(GROUP_SIZE, 3)
                .containsEntry("x-queue-type", "quorum"));
    }

    @Test
    void aNegativeGroupSizeIsRefused() {
        assertThatThrownBy(() -> properties("group-size", -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("quorum-initial-group-size");
    }

    @Test
    void aSingleBrokerTakesAGroupSizeOfThreeAndCapsItAtItself() {
        TestServices.Namespace namespace = TestServices.get().newNamespace();
        CachingConnectionFactory factory = RabbitFixtures.connectionFactory();
        try {
            RefresherTopology topology = RabbitFixtures.declareTopology(factory, properties(namespace
                    .messagingPrefix(), 3), List.of(PROVIDER));

            assertThat(new RabbitAdmin(factory).getQueueInfo(topology.workQueue(PROVIDER))).isNotNull();
        } finally {
            factory.destroy();
            TestServices.get().release(namespace);
        }
    }

    private static MessagingProperties properties(String prefix, int groupSize) {
        return new MessagingProperties(prefix, null, null, null, null, null, groupSize);
    }

    private static List<Queue> queues(RefresherTopology topology) {
        return topology.declarables(List.of(PROVIDER)).getDeclarablesByType(Queue.class);
    }
}
