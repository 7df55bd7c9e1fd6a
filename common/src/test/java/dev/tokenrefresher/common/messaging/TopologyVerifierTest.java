package dev.tokenrefresher.common.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenrefresher.common.test.RabbitFixtures;
import dev.tokenrefresher.common.test.TestServices;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.context.support.GenericApplicationContext;

/**
 * The start of an app against the real broker: a queue left by an earlier version with other arguments stops it with
 * a message that says what and where to read, a matching or absent topology is declared, an unreachable broker is
 * waited for as before.
 */
class TopologyVerifierTest {

    private static final String PROVIDER = "topology-verifier-test";

    @Test
    void aDeadLetterQueueLeftWithoutItsLimitStopsTheStartNamingTheQueueAndTheUpgradeGuide() {
        // as the Spring Boot 3.5 build declared it: a quorum queue without a delivery limit or dead-letter exchange
        assertStartRefusedAgainstDeadLetterQueue(topology -> Map.of("x-queue-type", "quorum"), "'");
    }

    @Test
    void aDeadLetterQueueThatStillParksIntoTheHandOffsParkedQueueStopsTheStartNamingTheArgumentAndTheUpgradeGuide() {
        // as the build before the unarchived queue declared it: letters over the limit went to {prefix}.parked
        assertStartRefusedAgainstDeadLetterQueue(topology -> Map.of("x-queue-type", "quorum", "x-delivery-limit",
                RefresherTopology.DEAD_LETTER_DELIVERY_LIMIT, "x-dead-letter-exchange", topology.parkedExchange(),
                "x-dead-letter-strategy", "at-least-once", "x-overflow", "reject-publish"), "x-dead-letter-exchange");
    }

    /** An earlier version left the dead-letter queue with these arguments: the start must stop and say why. */
    private static void assertStartRefusedAgainstDeadLetterQueue(
            Function<RefresherTopology, Map<String, Object>> earlierArguments, String named) {
        MessagingProperties properties = RabbitFixtures.messagingProperties(TestServices.get().newNamespace());
        RefresherTopology topology = new RefresherTopology(properties);
        TestServices.get().deleteQueuesAtExit(List.of(PROVIDER));
        CachingConnectionFactory earlierVersion = RabbitFixtures.connectionFactory();
        new RabbitAdmin(earlierVersion).declareQueue(new Queue(topology.deadLetterQueue(), true, false, false,
                earlierArguments.apply(topology)));
        earlierVersion.destroy();
        CachingConnectionFactory factory = RabbitFixtures.connectionFactory();
        try {
            assertThatThrownBy(() -> start(factory, topology)).isInstanceOf(TopologyMismatchException.class)
                    .hasMessageContaining("PRECONDITION_FAILED")
                    .hasMessageContaining(named)
                    .hasMessageContaining("'" + topology.deadLetterQueue() + "'")
                    .hasMessageContaining("docs/operations.md, \"Upgrading\"");
        } finally {
            factory.destroy();
        }
    }

    @Test
    void aBrokerWithoutTheTopologyGetsItDeclaredAndTheStartGoesOn() {
        MessagingProperties properties = RabbitFixtures.messagingProperties(TestServices.get().newNamespace());
        CachingConnectionFactory factory = RabbitFixtures.connectionFactory();
        RefresherTopology topology = new RefresherTopology(properties);
        TestServices.get().deleteQueuesAtExit(List.of(PROVIDER));
        try (GenericApplicationContext started = start(factory, topology)) {
            RabbitAdmin admin = new RabbitAdmin(factory);
            assertThat(admin.getQueueInfo(topology.deadLetterQueue())).isNotNull();
            assertThat(admin.getQueueInfo(topology.parkedQueue())).isNotNull();
            assertThat(admin.getQueueInfo(topology.unarchivedQueue())).isNotNull();
            assertThat(admin.getQueueInfo(topology.workQueue(PROVIDER))).isNotNull();
            // a second start against what the first declared is no mismatch
            start(factory, topology).close();
        } finally {
            factory.destroy();
        }
    }

    @Test
    void anUnreachableBrokerDoesNotStopTheStart() {
        CachingConnectionFactory unreachable = RabbitFixtures.unreachableConnectionFactory();
        RefresherTopology topology = new RefresherTopology(RabbitFixtures.messagingProperties());
        try (GenericApplicationContext started = start(unreachable, topology)) {
            assertThat(started.isActive()).isTrue();
        } finally {
            unreachable.destroy();
        }
    }

    /** The beans of an app's start that matter here: the admin, the topology's declarables, the verifier. */
    private static GenericApplicationContext start(CachingConnectionFactory factory, RefresherTopology topology) {
        GenericApplicationContext context = new GenericApplicationContext();
        RabbitAdmin admin = new RabbitAdmin(factory);
        context.registerBean(RabbitAdmin.class, () -> admin);
        context.registerBean("declarables", Declarables.class,
                () -> topology.declarables(List.of(PROVIDER)));
        context.registerBean(TopologyVerifier.class, () -> new TopologyVerifier(admin));
        context.refresh();
        return context;
    }
}
