package dev.tokenrefresher.scheduler.deadletter;

import static dev.tokenrefresher.common.test.NewConnectionBuilder.aConnection;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tokenrefresher.common.connection.AttemptOutcome;
import dev.tokenrefresher.common.connection.AttemptRecord;
import dev.tokenrefresher.common.connection.Claim;
import dev.tokenrefresher.common.connection.ClaimResult;
import dev.tokenrefresher.common.connection.ConnectionClaims;
import dev.tokenrefresher.common.connection.ConnectionStatus;
import dev.tokenrefresher.common.connection.ConnectionStore;
import dev.tokenrefresher.common.connection.PendingDeadLetters;
import dev.tokenrefresher.common.connection.RefreshOutcomes;
import dev.tokenrefresher.common.connection.Registered;
import dev.tokenrefresher.common.messaging.ConnectionEventPublisher;
import dev.tokenrefresher.common.messaging.DeadLetter;
import dev.tokenrefresher.common.messaging.DeadLetterPublisher;
import dev.tokenrefresher.common.messaging.MessagingProperties;
import dev.tokenrefresher.common.messaging.RefreshMessage;
import dev.tokenrefresher.common.messaging.RefreshMessageCodec;
import dev.tokenrefresher.common.messaging.RefresherTopology;
import dev.tokenrefresher.common.test.RabbitFixtures;
import dev.tokenrefresher.scheduler.EventSubscription;
import dev.tokenrefresher.scheduler.SchedulerApiTestBase;
import dev.tokenrefresher.scheduler.SchedulerApplication;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.ContextConfiguration;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A dead letter kept with its chain's end reaches the archive although the broker refused it at the moment after the
 * end committed, and the archive keeps one copy of a letter both its sender and the relay published. The real
 * PostgreSQL, the real RabbitMQ (and, for the refused publish, a port where no broker listens) and this scheduler's
 * archive.
 */
// named, not searched for: the search from this package finds ReplayHeapProbe's configuration first
@ContextConfiguration(classes = SchedulerApplication.class)
class PendingLetterRelayTest extends SchedulerApiTestBase {

    @Autowired
    private PendingDeadLetters pending;
    @Autowired
    private ConnectionStore store;
    @Autowired
    private ConnectionClaims claims;
    @Autowired
    private RefreshOutcomes outcomes;
    @Autowired
    private DeadLetterPublisher publisher;
    @Autowired
    private ConnectionEventPublisher events;
    @Autowired
    private RabbitAdmin admin;
    @Autowired
    private RabbitTemplate rabbit;
    @Autowired
    private RefresherTopology topology;
    @Autowired
    private MessagingProperties messaging;
    @Autowired
    private RefreshMessageCodec codec;
    @Autowired
    private TransactionTemplate transactions;
    @Autowired
    private JdbcClient jdbc;
    @Autowired
    private MeterRegistry meters;

    private final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    @Test
    void aLetterTheBrokerRefusedAfterTheChainEndedIsRelayedToTheArchive() {
        Claim claim = claim();
        DeadLetter letter = letter(claim, "invalid_grant");
        assertThat(pending.keepWith(letter, () -> outcomes.markReauthRequired(claim, "invalid_grant", now,
                attempt()))).isTrue();
        CachingConnectionFactory down = RabbitFixtures.unreachableConnectionFactory();
        try {
            // the moment after the provider ended the chain and the end committed: the broker is away
            assertThatThrownBy(() -> pending.publish(new DeadLetterPublisher(down, topology, messaging), letter))
                    .isInstanceOf(AmqpException.class);
        } finally {
            down.destroy();
        }
        assertThat(store.find(claim.connectionId()).orElseThrow().status()).isEqualTo(
                ConnectionStatus.REAUTH_REQUIRED);
        assertThat(archived(claim.connectionId())).isEmpty();
        double relayedBefore = meters.counter("refresher.dead_letters.relayed").count();
        int relayed;
        List<String> announced;
        try (EventSubscription subscription = EventSubscription.open(admin, rabbit, topology, "connection.#")) {
            relayed = relay().relay();
            // the events the sender queued after the letter were lost with it: the host app hears of the end now
            announced = subscription.awaitFor(claim.connectionId(), 2).stream().map(event -> event
                    .getMessageProperties().getReceivedRoutingKey()).toList();
        }
        assertThat(announced).containsExactlyInAnyOrder("connection.dead_lettered." + claim.provider(),
                "connection.reauth_required." + claim.provider());

        assertThat(relayed).isGreaterThanOrEqualTo(1);
        assertThat(meters.counter("refresher.dead_letters.relayed").count() - relayedBefore).isEqualTo(relayed);
        await().atMost(Duration.ofSeconds(10)).until(() -> archived(claim.connectionId()).size() == 1);
        assertThat(archived(claim.connectionId())).containsExactly("invalid_grant");
        assertThat(keptFor(claim.connectionId())).isZero();
    }

    @Test
    void theArchiveKeepsOneCopyOfALetterItsSenderPublishedButDidNotForget() {
        Claim claim = claim();
        DeadLetter letter = letter(claim, "retries_exhausted");
        pending.keepWith(letter, () -> outcomes.park(claim, "http_503: down", Duration.ZERO, now, attempt()));
        // the sender's publish was confirmed, and the sender died before it forgot the letter
        publisher.publish(letter);
        await().atMost(Duration.ofSeconds(10)).until(() -> archived(claim.connectionId()).size() == 1);

        relay().relay();

        // a letter published after the copy is archived after it: once it is there, the copy was handled
        Claim later = claim();
        publisher.publish(letter(later, "retries_exhausted"));
        await().atMost(Duration.ofSeconds(10)).until(() -> archived(later.connectionId()).size() == 1);
        assertThat(archived(claim.connectionId())).containsExactly("retries_exhausted");
        assertThat(keptFor(claim.connectionId())).isZero();
    }

    private PendingLetterRelay relay() {
        // no grace: the letters of this test are due at once
        return new PendingLetterRelay(pending, publisher, events, transactions, new DeadLetterProperties(null, null,
                null, null, null, Duration.ZERO, null), meters);
    }

    private Claim claim() {
        Registered registered = store.register(aConnection().build(), now);
        return ((ClaimResult.Claimed) claims.claim(registered.id(), registered.fence(), "relay-test", Duration.ZERO))
                .claim();
    }

    private DeadLetter letter(Claim claim, String reason) {
        RefreshMessage message = new RefreshMessage(claim.connectionId(), claim.fence(), now, 0);
        return new DeadLetter(codec.encode(message), message.messageId(), reason, reason, "made by a test", claim
                .provider(), claim.connectionId(), 12, 503, now.minusSeconds(600), now, "relay-test");
    }

    private AttemptRecord attempt() {
        return new AttemptRecord(now, AttemptOutcome.REAUTH_REQUIRED, 400, "invalid_grant", Duration.ofMillis(5),
                "relay-test");
    }

    private List<String> archived(UUID connectionId) {
        return jdbc.sql("SELECT reason FROM dead_letter WHERE connection_id = :id ORDER BY id").param("id",
                connectionId).query(String.class).list();
    }

    private long keptFor(UUID connectionId) {
        return jdbc.sql("SELECT count(*) FROM pending_dead_letter WHERE connection_id = :id").param("id",
                connectionId).query(Long.class).single();
    }
}
