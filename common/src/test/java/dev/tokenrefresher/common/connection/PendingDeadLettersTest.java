package dev.tokenrefresher.common.connection;

import static dev.tokenrefresher.common.test.NewConnectionBuilder.aConnection;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenrefresher.common.messaging.DeadLetter;
import dev.tokenrefresher.common.messaging.DeadLetterPublisher;
import dev.tokenrefresher.common.messaging.RefresherTopology;
import dev.tokenrefresher.common.test.LeaseTime;
import dev.tokenrefresher.common.test.RabbitFixtures;
import dev.tokenrefresher.common.test.ServicesTestBase;
import dev.tokenrefresher.common.test.TestServices;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The dead letters' outbox on the real PostgreSQL: a letter is kept exactly when its state change commits. */
@SpringBootTest(classes = ConnectionStoreTest.StoreOnly.class)
class PendingDeadLettersTest extends ServicesTestBase {

    @Autowired
    PendingDeadLetters pending;
    @Autowired
    ConnectionStore store;
    @Autowired
    ConnectionClaims claims;
    @Autowired
    RefreshOutcomes outcomes;
    @Autowired
    JdbcClient jdbc;

    private static final String WORKER = "w1";

    private final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    @BeforeEach
    void noHandoffWaiting() {
        LeaseTime.handoffsDrainedAt(jdbc, TestServices.get().messagingPrefix(), "infinity");
    }

    @Test
    void theLetterOfAChainsEndIsKeptInTheEndsTransaction() {
        Claim claim = claim();

        boolean ended = pending.keepWith(letter(claim, "invalid_grant"), () -> outcomes.markReauthRequired(claim,
                "invalid_grant", now, attempt()));

        assertThat(ended).isTrue();
        assertThat(store.find(claim.connectionId()).orElseThrow().status()).isEqualTo(
                ConnectionStatus.REAUTH_REQUIRED);
        assertThat(kept(claim.connectionId())).containsExactly("invalid_grant");
    }

    @Test
    void noLetterIsKeptWhenTheRowHadMovedOn() {
        Claim claim = claim();
        // another actor stored a newer refresh token: the guard of the chain's end does not match
        store.register(aConnection().tenant(store.find(claim.connectionId()).orElseThrow().tenantId()).build(), now);

        boolean ended = pending.keepWith(letter(claim, "invalid_grant"), () -> outcomes.markReauthRequired(claim,
                "invalid_grant", now, attempt()));

        assertThat(ended).isFalse();
        assertThat(kept(claim.connectionId())).isEmpty();
    }

    @Test
    void aLetterThatCannotBeKeptUndoesTheParkItDescribes() {
        Claim claim = claim();
        long fence = store.find(claim.connectionId()).orElseThrow().refreshFence();
        // longer than the reason column: the letter's insert fails after the park's update ran
        String tooLong = "r".repeat(65);

        assertThatThrownBy(() -> pending.keepWith(letter(claim, tooLong), () -> {
            assertThat(outcomes.park(claim, "http_401: no", Duration.ZERO, now, attempt())).as("parked").isTrue();
            return true;
        })).isInstanceOf(RuntimeException.class);

        ConnectionView after = store.find(claim.connectionId()).orElseThrow();
        assertThat(after.refreshFence()).as("the park rolled back with its letter").isEqualTo(fence);
        assertThat(after.nextRefreshAt()).isNotNull();
        assertThat(kept(claim.connectionId())).isEmpty();
    }

    @Test
    void aSentLetterIsForgottenAndAnUnsentOneWaitsForTheRelayAfterItsGrace() {
        Claim sentClaim = claim();
        Claim unsentClaim = claim();
        DeadLetter sent = letter(sentClaim, "http_401");
        DeadLetter unsent = letter(unsentClaim, "retries_exhausted");
        pending.keepWith(sent, () -> true);
        pending.keepWith(unsent, () -> true);

        pending.sent(sent);

        assertThat(kept(sentClaim.connectionId())).isEmpty();
        assertThat(kept(unsentClaim.connectionId())).containsExactly("retries_exhausted");
        assertThat(pending.lockOlderThan(Duration.ofHours(1), 1000)).extracting(p -> p.letter().connectionId())
                .doesNotContain(unsentClaim.connectionId());
        List<PendingDeadLetters.Pending> due = pending.lockOlderThan(Duration.ZERO, 1000);
        assertThat(due).extracting(p -> p.letter().connectionId()).contains(unsentClaim.connectionId());
        DeadLetter read = due.stream().filter(p -> p.letter().connectionId().equals(unsentClaim.connectionId()))
                .findFirst().orElseThrow().letter();
        assertThat(read).usingRecursiveComparison().isEqualTo(unsent);
    }

    @Test
    void aLetterIsForgottenOnlyOnceTheBrokerConfirmedIt() {
        Claim claim = claim();
        DeadLetter letter = letter(claim, "invalid_grant");
        pending.keepWith(letter, () -> outcomes.markReauthRequired(claim, "invalid_grant", now, attempt()));
        CachingConnectionFactory down = RabbitFixtures.unreachableConnectionFactory();
        CachingConnectionFactory up = RabbitFixtures.connectionFactory();
        try {
            RefresherTopology topology = RabbitFixtures.declareTopology(up, List.of("quickbooks"));

            assertThatThrownBy(() -> pending.publish(new DeadLetterPublisher(down, topology, RabbitFixtures
                    .messagingProperties()), letter)).isInstanceOf(AmqpException.class);
            assertThat(kept(claim.connectionId())).as("kept while the broker is away").containsExactly(
                    "invalid_grant");

            pending.publish(new DeadLetterPublisher(up, topology, RabbitFixtures.messagingProperties()), letter);
            assertThat(kept(claim.connectionId())).as("forgotten once confirmed").isEmpty();
        } finally {
            down.destroy();
            up.destroy();
        }
    }

    private Claim claim() {
        Registered registered = store.register(aConnection().build(), now);
        // the lease holder the attempts name: the park's guard is the lease
        return ((ClaimResult.Claimed) claims.claim(registered.id(), registered.fence(), WORKER, Duration.ZERO))
                .claim();
    }

    private DeadLetter letter(Claim claim, String reason) {
        return new DeadLetter("{\"connectionId\":\"x\"}".getBytes(StandardCharsets.UTF_8), claim.connectionId() + ":"
                + claim.fence() + ":0", reason, "invalid_grant", "the provider said no", claim.provider(),
                claim
                        .connectionId(),
                2, 400, now.minusSeconds(60), now, "w1");
    }

    private List<String> kept(UUID connectionId) {
        return jdbc.sql("SELECT reason FROM pending_dead_letter WHERE connection_id = :id ORDER BY id")
                .param("id", connectionId).query(String.class).list();
    }

    private AttemptRecord attempt() {
        return new AttemptRecord(now, AttemptOutcome.REAUTH_REQUIRED, 400, "invalid_grant", Duration.ofMillis(12),
                WORKER);
    }
}
