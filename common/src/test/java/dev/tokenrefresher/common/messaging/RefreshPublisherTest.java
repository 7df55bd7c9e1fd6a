package dev.tokenrefresher.common.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.tokenrefresher.common.test.RabbitFixtures;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import tools.jackson.databind.ObjectMapper;

class RefreshPublisherTest {

    @Test
    void anUnreachableBrokerIsReportedAsOneFailurePerMessageNotThrown() {
        CachingConnectionFactory unreachable = RabbitFixtures.unreachableConnectionFactory();
        MessagingProperties properties = RabbitFixtures.messagingProperties();
        RefreshPublisher publisher = new RefreshPublisher(unreachable, new RefresherTopology(properties),
                new RefreshMessageCodec(new ObjectMapper()), properties);
        Instant now = Instant.now();
        UUID first = UUID.randomUUID();
        UUID second = UUID.randomUUID();
        try {
            List<PublishFailedException> failures = publisher.publishAll(List.of(
                    new RefreshPublisher.Outgoing("quickbooks", new RefreshMessage(first, 1, now, 0)),
                    new RefreshPublisher.Outgoing("quickbooks", new RefreshMessage(second, 4, now.plusSeconds(60),
                            0))),
                    now);

            assertThat(failures).extracting(PublishFailedException::connectionId, PublishFailedException::fence)
                    .containsExactly(tuple(first, 1L),
                            tuple(second, 4L));
            assertThat(failures).allSatisfy(failure -> assertThat(failure).hasMessageContaining("send failed"));
        } finally {
            unreachable.destroy();
        }
    }
}
