package dev.tokenrefresher.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tokenrefresher.common.messaging.RefresherTopology;
import dev.tokenrefresher.common.test.RabbitFixtures;
import dev.tokenrefresher.common.test.TestServices;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;

/**
 * The released app against a broker that still holds the dead-letter queue as the Spring Boot 3.5 build declared it
 * (no delivery limit, no dead-letter exchange): it must stop its start and say why. The scheduler is the app that
 * consumes that queue, and before the start-up check it reported itself started and healthy while it could archive
 * nothing.
 */
class UpgradeIT {

    @Test
    void aSchedulerStartingAgainstTheEarlierBuildsDeadLetterQueueStopsAndNamesTheQueueAndTheUpgradeSteps() {
        TestServices.Namespace namespace = TestServices.get().newNamespace();
        TestServices.get().deleteQueuesAtExit(List.of(RunningSystem.PROVIDER));
        RefresherTopology topology = new RefresherTopology(RabbitFixtures.messagingProperties(namespace));
        CachingConnectionFactory earlierVersion = RabbitFixtures.connectionFactory();
        new RabbitAdmin(earlierVersion).declareQueue(new Queue(topology.deadLetterQueue(), true, false, false, Map.of(
                "x-queue-type", "quorum")));
        earlierVersion.destroy();
        List<String> arguments = new ArrayList<>(TestServices.get().springArguments(namespace));
        arguments.add("--refresher.providers." + RunningSystem.PROVIDER + ".client-id=" + RunningSystem.CLIENT_ID);
        arguments.add("--refresher.providers." + RunningSystem.PROVIDER + ".client-secret="
                + RunningSystem.CLIENT_SECRET);
        arguments.add("--refresher.security.api-keys[0].name=system-tests-admin");
        arguments.add("--refresher.security.api-keys[0].key=" + JsonHttp.ADMIN_KEY);
        arguments.add("--refresher.security.api-keys[0].roles=admin");
        AppProcess scheduler = AppProcess.start("scheduler", "scheduler.jar", "upgrade", arguments);
        try {
            // Spring AMQP retries the refused declaration for about 20 s before the check sees the refusal
            await("the scheduler's start to end").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                    .until(() -> log(scheduler).contains("Application run failed") || log(scheduler).contains(
                            "Started SchedulerApplication"));

            assertThat(log(scheduler)).doesNotContain("Started SchedulerApplication").contains(
                    "TopologyMismatchException", "PRECONDITION_FAILED", "'" + topology.deadLetterQueue() + "'",
                    "docs/operations.md, \"Upgrading\"");
        } finally {
            scheduler.kill();
            TestServices.get().release(namespace);
        }
    }

    private static String log(AppProcess app) {
        try {
            return Files.readString(app.log());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
