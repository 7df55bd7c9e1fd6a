package dev.tokenrefresher.common.handoff;

import static dev.tokenrefresher.common.test.NewConnectionBuilder.aConnection;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenrefresher.common.CommonConfiguration;
import dev.tokenrefresher.common.connection.AttemptOutcome;
import dev.tokenrefresher.common.connection.AttemptRecord;
import dev.tokenrefresher.common.connection.Claim;
import dev.tokenrefresher.common.connection.ClaimResult;
import dev.tokenrefresher.common.connection.ConnectionClaims;
import dev.tokenrefresher.common.connection.ConnectionStore;
import dev.tokenrefresher.common.connection.RefreshOutcomes;
import dev.tokenrefresher.common.connection.RefreshToStore;
import dev.tokenrefresher.common.connection.RefreshedTokens;
import dev.tokenrefresher.common.connection.Registered;
import dev.tokenrefresher.common.connection.StoredTokens;
import dev.tokenrefresher.common.handoff.IssuedTokensRecorder.Recorded;
import dev.tokenrefresher.common.messaging.DeadLetterHeaders;
import dev.tokenrefresher.common.messaging.RefresherTopology;
import dev.tokenrefresher.common.test.TestServices;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The hand-off on the real PostgreSQL and RabbitMQ: issued tokens the database could not take are stored by a drain,
 * never over a newer token, and an abandoned lease is taken over only after a drain found nothing waiting.
 */
@SpringBootTest(classes = HandoffDrainTest.Apps.class)
class HandoffDrainTest {

    private static final TestServices.Namespace NAMESPACE = TestServices.get().newNamespace();
    private static final Duration LEASE = Duration.ofSeconds(30);

    @DynamicPropertySource
    static void services(DynamicPropertyRegistry registry) {
        TestServices.get().springProperties(NAMESPACE).forEach((key, value) -> registry.add(key, () -> value));
        registry.add("refresher.providers.quickbooks.client-id", () -> "handoff-test");
        registry.add("refresher.providers.quickbooks.client-secret", () -> "handoff-test-secret");
        // the test drains when it wants to; the app's own drain stays out of its way
        registry.add("refresher.handoff.drain-interval", () -> "1h");
        TestServices.get().deleteQueuesAtExit(java.util.List.of("quickbooks"));
    }

    @Autowired
    ConnectionStore store;
    @Autowired
    ConnectionClaims claims;
    @Autowired
    RefreshOutcomes outcomes;
    @Autowired
    IssuedTokensRecorder recorder;
    @Autowired
    HandoffDrain drain;
    @Autowired
    RefresherTopology topology;
    @Autowired
    CachingConnectionFactory rabbit;
    @Autowired
    JdbcClient jdbc;

    private final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    @Test
    void tokensHandedOffWhileTheDatabaseWasDownAreStoredByTheDrainAndTheChainGoesOn() {
        Claim claim = claimed("rt-before");
        RefreshToStore refresh = issued(claim, "at-issued", "rt-issued");

        assertThat(handOff(refresh)).isInstanceOf(Recorded.HandedOff.class);
        assertThat(store.tokens(claim.connectionId()).map(StoredTokens::refreshToken)).contains("rt-before");

        HandoffDrain.Run run = drain.drain();

        assertThat(run.emptied()).isTrue();
        assertThat(store.tokens(claim.connectionId())).get().satisfies(tokens -> {
            assertThat(tokens.refreshToken()).isEqualTo("rt-issued");
            assertThat(tokens.accessToken()).isEqualTo("at-issued");
        });
        assertThat(jdbc.sql("SELECT refresh_fence, lease_until IS NULL AS free, next_refresh_at FROM connection "
                + "WHERE id = :id").param("id", claim.connectionId()).query().singleRow())
                .containsEntry("refresh_fence", claim.fence() + 1).containsEntry("free", true)
                .containsEntry("next_refresh_at", Timestamp.from(refresh.nextRefreshAt()));
        assertThat(queueDepth()).isZero();
    }

    @Test
    void aHandOffOfAnOlderIssueNeverOverwritesATokenStoredAfterIt() {
        Claim claim = claimed("rt-first");
        handOff(issued(claim, "at-lost", "rt-from-the-handoff"));
        // the worker's own retry got through once the database was back, and the chain moved on
        outcomes.storeRefreshed(claim, new RefreshedTokens("at-newer", "rt-newer", now.plusSeconds(3600), Duration
                .ofHours(1), now.plus(Duration.ofDays(100))), now.plusSeconds(3000), now,
                attempt(AttemptOutcome.REFRESHED));

        drain.drain();

        assertThat(store.tokens(claim.connectionId()).map(StoredTokens::refreshToken)).contains("rt-newer");
        assertThat(jdbc.sql("SELECT outcome || '/' || error_code FROM refresh_attempt WHERE connection_id = :id "
                + "ORDER BY id DESC LIMIT 1").param("id", claim.connectionId()).query(String.class).single())
                .isEqualTo("SUPERSEDED/handoff");
    }

    @Test
    void anAbandonedLeaseIsTakenOverOnlyAfterADrainAppliedWhatItsHolderHandedOff() {
        Claim claim = claimed("rt-abandoned");
        handOff(issued(claim, "at-of-the-dead-worker", "rt-of-the-dead-worker"));
        expireLease(claim.connectionId());

        // the holder died after handing off; without the drain, w2 would call the provider with a spent token
        assertThat(claims.claim(claim.connectionId(), claim.fence(), "w2", LEASE))
                .isInstanceOf(ClaimResult.Leased.class);

        drain.drain();

        // the drain stored the tokens (new fence); with the fence of the row now, the lease is free
        assertThat(store.tokens(claim.connectionId()).map(StoredTokens::refreshToken)).contains(
                "rt-of-the-dead-worker");
        assertThat(claims.claim(claim.connectionId(), claim.fence() + 1, "w2", LEASE))
                .isInstanceOf(ClaimResult.Claimed.class);
    }

    @Test
    void anAbandonedLeaseWithNothingHandedOffIsTakenOverAfterTheNextDrain() {
        Claim claim = claimed("rt-crashed");
        expireLease(claim.connectionId());
        assertThat(claims.claim(claim.connectionId(), claim.fence(), "w2", LEASE))
                .isInstanceOf(ClaimResult.Leased.class);

        drain.drain();

        assertThat(claims.claim(claim.connectionId(), claim.fence(), "w2", LEASE))
                .isInstanceOf(ClaimResult.Claimed.class);
    }

    @Test
    void aHandOffWhoseRowTheDatabaseRefusesIsParkedWithItsConnectionAndDeadLetteredWhileTheOthersAreStored() {
        Claim before = claimed("rt-a");
        Claim refusedClaim = claimed("rt-refused");
        Claim after = claimed("rt-c");
        handOff(issued(before, "at-a2", "rt-a2"));
        handOff(issued(refusedClaim, "at-refused2", "rt-refused2"));
        handOff(issued(after, "at-c2", "rt-c2"));
        UUID refused = refusedClaim.connectionId();

        HandoffDrain.Run run = withTokenStoreRefused(refused, drain::drain);

        assertThat(run.parked()).isEqualTo(1);
        assertThat(store.tokens(before.connectionId()).map(StoredTokens::refreshToken)).contains("rt-a2");
        assertThat(store.tokens(after.connectionId()).map(StoredTokens::refreshToken)).contains("rt-c2");
        // parked and held: no refresh scheduled, and no claim may call the provider with the spent rt-refused
        assertThat(store.tokens(refused).map(StoredTokens::refreshToken)).contains("rt-refused");
        assertThat(jdbc.sql("SELECT status, next_refresh_at IS NULL AS unscheduled, last_error, lease_owner, "
                + "refresh_fence FROM connection WHERE id = :id").param("id", refused).query().singleRow())
                .containsEntry("status", "ACTIVE").containsEntry("unscheduled", true)
                .containsEntry("last_error", "store_refused: 22008")
                .containsEntry("lease_owner", RefreshOutcomes.PARKED_TOKENS_HOLDER)
                .containsEntry("refresh_fence", refusedClaim.fence() + 1);
        assertThat(claims.claim(refused, refusedClaim.fence() + 1, "w2", LEASE)).isInstanceOf(
                ClaimResult.Leased.class);
        assertThat(store.rearm(refused, now)).isEmpty();
        Message parked = new RabbitTemplate(rabbit).receive(topology.parkedQueue(), 5_000);
        assertThat(parked).isNotNull();
        assertThat(parked.getMessageProperties().getMessageId()).isEqualTo(refused + "/" + refusedClaim.fence());
        Message deadLetter = new RabbitTemplate(rabbit).receive(topology.deadLetterQueue(), 5_000);
        assertThat(deadLetter).isNotNull();
        assertThat(deadLetter.getMessageProperties().getHeaders())
                .containsEntry(DeadLetterHeaders.REASON, "store_refused")
                .containsEntry(DeadLetterHeaders.ERROR_CODE, "22008")
                .containsEntry(DeadLetterHeaders.CONNECTION_ID, refused.toString());
        assertThat(new String(deadLetter.getBody()) + deadLetter.getMessageProperties().getHeaders()).doesNotContain(
                "rt-refused");

        // the operator's recovery, once the cause is fixed: the parked hand-off back onto the hand-off queue
        new RabbitTemplate(rabbit).send(topology.handoffExchange(), "", parked);
        drain.drain();

        assertThat(store.tokens(refused).map(StoredTokens::refreshToken)).contains("rt-refused2");
        assertThat(jdbc.sql("SELECT lease_owner IS NULL AND last_error IS NULL AND next_refresh_at IS NOT NULL "
                + "FROM connection WHERE id = :id").param("id", refused).query(Boolean.class).single()).isTrue();
    }

    @Test
    void aMessageThatIsNoHandOffIsParkedAndDoesNotHoldUpTheWatermark() {
        Instant before = Instant.now();
        MessageProperties properties = new MessageProperties();
        properties.setMessageId("garbage-" + UUID.randomUUID());
        new RabbitTemplate(rabbit).send(topology.handoffExchange(), "", new Message("{\"v\":99}".getBytes(),
                properties));

        HandoffDrain.Run run = drain.drain();

        assertThat(run.parked()).isEqualTo(1);
        assertThat(run.emptied()).isTrue();
        assertThat(jdbc.sql("SELECT drained_at FROM handoff_watermark WHERE installation = :installation").param(
                "installation", NAMESPACE.messagingPrefix()).query(Timestamp.class).single().toInstant())
                .isAfterOrEqualTo(before.minusSeconds(1));
        Message parked = new RabbitTemplate(rabbit).receive(topology.parkedQueue(), 5_000);
        assertThat(parked).isNotNull();
        assertThat(parked.getMessageProperties().getMessageId()).isEqualTo(properties.getMessageId());
    }

    @Test
    void aHandOffCarriesNoTokenInClear() {
        Claim claim = claimed("rt-secret-before");
        handOff(issued(claim, "at-secret-issued", "rt-secret-issued"));

        Message message = new RabbitTemplate(rabbit).receive(topology.handoffQueue(), 5_000);

        assertThat(message).isNotNull();
        String body = new String(message.getBody());
        assertThat(body).doesNotContain("at-secret-issued").doesNotContain("rt-secret-issued").doesNotContain(
                "rt-secret-before");
        assertThat(message.getMessageProperties().getHeaders().toString()).doesNotContain("secret");
    }

    /**
     * Runs {@code action} while PostgreSQL refuses any new refresh token for connection {@code id}, as it would refuse a
     * value it cannot take; any other update of that row goes through.
     */
    private <T> T withTokenStoreRefused(UUID id, java.util.function.Supplier<T> action) {
        jdbc.sql("""
                CREATE FUNCTION refuse_token_store() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'refused for the test' USING ERRCODE = '22008'; END $$
                """).update();
        jdbc.sql("CREATE TRIGGER refuse_token_store BEFORE UPDATE ON connection FOR EACH ROW WHEN (NEW.id = '" + id
                + "' AND NEW.refresh_token_enc IS DISTINCT FROM OLD.refresh_token_enc) "
                + "EXECUTE FUNCTION refuse_token_store()").update();
        try {
            return action.get();
        } finally {
            jdbc.sql("DROP TRIGGER refuse_token_store ON connection").update();
            jdbc.sql("DROP FUNCTION refuse_token_store()").update();
        }
    }

    private Recorded handOff(RefreshToStore refresh) {
        return recorder.record(refresh, r -> {
            throw new DataAccessResourceFailureException("PostgreSQL is down");
        }, Duration.ZERO, System.nanoTime());
    }

    private Claim claimed(String refreshToken) {
        Registered registered = store.register(aConnection().tokens("at-" + refreshToken, refreshToken).build(), now);
        ClaimResult result = claims.claim(registered.id(), registered.fence(), "w1", LEASE);
        return ((ClaimResult.Claimed) result).claim();
    }

    private RefreshToStore issued(Claim claim, String accessToken, String refreshToken) {
        return new RefreshToStore(claim, new RefreshedTokens(accessToken, refreshToken, now.plusSeconds(3600),
                Duration.ofHours(1), now.plus(Duration.ofDays(100))),
                now.plusSeconds(3000).truncatedTo(
                        ChronoUnit.MILLIS),
                now, attempt(AttemptOutcome.REFRESHED));
    }

    /**
     * Ends the lease now, as if its holder had died: after everything the test handed off (a holder hands off before
     * its lease ends) and after any earlier drain.
     */
    private void expireLease(UUID id) {
        jdbc.sql("UPDATE connection SET lease_until = clock_timestamp() WHERE id = :id").param("id", id).update();
    }

    private long queueDepth() {
        return Optional.ofNullable(new org.springframework.amqp.rabbit.core.RabbitAdmin(rabbit).getQueueInfo(
                topology.handoffQueue())).map(info -> (long) info.getMessageCount()).orElse(-1L);
    }

    private AttemptRecord attempt(AttemptOutcome outcome) {
        return new AttemptRecord(now, outcome, 200, null, Duration.ofMillis(12), "w1");
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(CommonConfiguration.class)
    static class Apps {
    }
}
