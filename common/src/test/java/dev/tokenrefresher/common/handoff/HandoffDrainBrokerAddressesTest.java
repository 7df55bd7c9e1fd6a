package dev.tokenrefresher.common.handoff;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenrefresher.common.CommonConfiguration;
import dev.tokenrefresher.common.test.TestServices;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The drain's connection of its own goes through the whole address list ({@code spring.rabbitmq.addresses}, as
 * {@code RABBITMQ_ADDRESSES} sets it), like Spring's cached connection: on a cluster whose first node is down it reaches
 * the next one. The AMQP client's factory alone knows only the first address.
 */
@SpringBootTest(classes = HandoffDrainBrokerAddressesTest.Apps.class)
class HandoffDrainBrokerAddressesTest {

    private static final TestServices.Namespace NAMESPACE = TestServices.get().newNamespace();

    @DynamicPropertySource
    static void services(DynamicPropertyRegistry registry) {
        TestServices services = TestServices.get();
        services.springProperties(NAMESPACE).forEach((key, value) -> registry.add(key, () -> value));
        registry.add("spring.rabbitmq.addresses", () -> "127.0.0.1:" + closedPort() + "," + services.rabbitHost()
                + ":" + services.rabbitPort());
        registry.add("refresher.providers.quickbooks.client-id", () -> "handoff-test");
        registry.add("refresher.providers.quickbooks.client-secret", () -> "handoff-test-secret");
        registry.add("refresher.handoff.drain-interval", () -> "1h");
        TestServices.get().deleteQueuesAtExit(java.util.List.of("quickbooks"));
    }

    @Autowired
    HandoffDrain drain;

    @Test
    void theDrainReachesTheBrokerThroughTheNextAddressWhenTheFirstIsDown() {
        HandoffDrain.Run run = drain.drain();

        assertThat(run.emptied()).isTrue();
    }

    /** A port on this machine where nothing listens: a node that is down. */
    private static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(CommonConfiguration.class)
    static class Apps {
    }
}
