package dev.tokenrefresher.common.keys;

import static dev.tokenrefresher.common.test.NewConnectionBuilder.aConnection;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenrefresher.common.connection.ConnectionClaims;
import dev.tokenrefresher.common.connection.ConnectionPersistenceConfiguration;
import dev.tokenrefresher.common.connection.ConnectionStore;
import dev.tokenrefresher.common.connection.EncryptedValues;
import dev.tokenrefresher.common.connection.KeyRewrites;
import dev.tokenrefresher.common.connection.NewConnection;
import dev.tokenrefresher.common.connection.PendingDeadLetters;
import dev.tokenrefresher.common.connection.RefreshOutcomes;
import dev.tokenrefresher.common.connection.Registered;
import dev.tokenrefresher.common.crypto.CipherBinding;
import dev.tokenrefresher.common.crypto.CryptoConfiguration;
import dev.tokenrefresher.common.crypto.CryptoProperties;
import dev.tokenrefresher.common.crypto.TokenCipher;
import dev.tokenrefresher.common.keys.KeyRewriter.BatchOutcome;
import dev.tokenrefresher.common.messaging.DeadLetter;
import dev.tokenrefresher.common.messaging.RefreshMessageCodec;
import dev.tokenrefresher.common.test.ServicesTestBase;
import dev.tokenrefresher.common.test.Tampering;
import dev.tokenrefresher.common.test.TestKeys;
import dev.tokenrefresher.common.test.TestServices;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.ObjectMapper;

/**
 * The re-encryption job's rewrite on the real PostgreSQL: rows under a retired key or the earlier format move to the
 * primary key, a row with a refresh in flight is never touched, and a row no key opens is parked once. Only this test's
 * rows are handed to the rewriter: the schema is shared with other tests, whose rows must stay under their key.
 */
@SpringBootTest(classes = KeyRewriterTest.StoreOnly.class)
class KeyRewriterTest extends ServicesTestBase {

    private static final Duration NO_SETTLE = Duration.ZERO;
    private static final String NEW_KEY = TestKeys.randomKey();

    @Autowired
    private PendingDeadLetters pending;
    @Autowired
    ConnectionStore store;
    @Autowired
    ConnectionClaims claims;
    @Autowired
    RefreshOutcomes outcomes;
    @Autowired
    KeyRewrites rewrites;
    @Autowired
    JdbcClient jdbc;

    private final Instant now = Instant.now().minusSeconds(1).truncatedTo(ChronoUnit.MILLIS);
    private final CryptoProperties testKeys = TestServices.get().cryptoProperties();
    /** After the rotation: k2 primary, the test key kept to read. */
    private final TokenCipher rotated = new TokenCipher(new CryptoProperties("k2", Map.of("k2", NEW_KEY, "test",
            testKeys.keys().get("test"))));
    /** After the old key's removal. */
    private final TokenCipher onlyNewKey = new TokenCipher(new CryptoProperties("k2", Map.of("k2", NEW_KEY)));
    private KeyRewriter rewriter;

    @BeforeEach
    void rotatedRewriter() {
        rewriter = new KeyRewriter(rewrites, rotated, undecryptable());
    }

    @Test
    void afterARotationEveryValueIsRewrittenUnderThePrimaryKeyAndReadsWithoutTheOldKey() {
        NewConnection first = aConnection().build();
        NewConnection second = aConnection().build();
        Registered a = store.register(first, now);
        Registered b = store.register(second, now);
        writeInLegacyFormat(b.id(), second);

        BatchOutcome outcome = rewriter.rewrite(mine(a.id(), b.id()), NO_SETTLE, "test");

        assertThat(outcome.rewritten()).isEqualTo(2);
        for (var row : Map.of(a.id(), first, b.id(), second).entrySet()) {
            EncryptedValues stored = read(row.getKey());
            for (byte[] value : List.of(stored.realmId(), stored.accessToken(), stored.refreshToken())) {
                assertThat(TokenCipher.keyIdOf(value)).isEqualTo("k2");
                assertThat(TokenCipher.formatOf(value)).isEqualTo(TokenCipher.CURRENT_FORMAT);
            }
            assertThat(onlyNewKey.decrypt(stored.realmId(), binding(row.getKey(), "realm_id"))).isEqualTo(row
                    .getValue().realmId());
            assertThat(onlyNewKey.decrypt(stored.accessToken(), binding(row.getKey(), "access_token"))).isEqualTo(
                    row.getValue().accessToken());
            assertThat(onlyNewKey.decrypt(stored.refreshToken(), binding(row.getKey(), "refresh_token")))
                    .isEqualTo(row.getValue().refreshToken());
        }
        assertThat(rewriter.rewrite(mine(a.id(), b.id()), NO_SETTLE, "test").rewritten())
                .as("a second pass finds nothing of theirs to do").isZero();
    }

    @Test
    void aConnectionWithARefreshInFlightIsLeftForTheNextPassSoThatItsStoreStillMatchesTheConsumedToken() {
        Registered leased = store.register(aConnection().build(), now);
        claims.claim(leased.id(), leased.fence(), "w1", Duration.ofSeconds(30));
        byte[] consumed = read(leased.id()).refreshToken();

        BatchOutcome outcome = rewriter.rewrite(mine(leased.id()), NO_SETTLE, "test");

        assertThat(outcome.rewritten()).isZero();
        assertThat(outcome.leftForNextPass()).isEqualTo(1);
        assertThat(read(leased.id()).refreshToken()).isEqualTo(consumed);
    }

    @Test
    void aConnectionChangedWithinTheSettleTimeIsLeftForTheNextPass() {
        Registered recent = store.register(aConnection().build(), now);

        BatchOutcome outcome = rewriter.rewrite(mine(recent.id()), Duration.ofHours(1), "test");

        assertThat(outcome.leftForNextPass()).isEqualTo(1);
        assertThat(TokenCipher.keyIdOf(read(recent.id()).accessToken())).isEqualTo("test");
    }

    @Test
    void aConnectionNoKeyOpensIsParkedOnceWithALetterWhileTheOthersOfItsBatchAreRewritten() {
        Registered before = store.register(aConnection().build(), now);
        Registered tampered = store.register(aConnection().build(), now);
        Registered after = store.register(aConnection().build(), now);
        Tampering.flipLastBit(jdbc, tampered.id(), "access_token_enc");

        BatchOutcome outcome = rewriter.rewrite(mine(before.id(), tampered.id(), after.id()), NO_SETTLE, "test");

        assertThat(outcome.rewritten()).isEqualTo(2);
        assertThat(outcome.undecryptable()).isEqualTo(1);
        assertThat(outcome.letters()).singleElement().satisfies(letter -> {
            assertThat(letter.reason()).isEqualTo(UndecryptableConnections.REASON);
            assertThat(letter.connectionId()).isEqualTo(tampered.id());
            assertThat(letter.detail()).contains("connection/" + tampered.id() + "/access_token",
                    "authentication failed under key 'test'");
        });
        Map<String, Object> row = jdbc.sql("SELECT next_refresh_at, refresh_fence, status, last_error FROM connection "
                + "WHERE id = :id").param("id", tampered.id()).query().singleRow();
        assertThat(row.get("next_refresh_at")).isNull();
        assertThat(row.get("status")).isEqualTo("ACTIVE");
        assertThat((Long) row.get("refresh_fence")).isEqualTo(tampered.fence() + 1);
        assertThat((String) row.get("last_error")).startsWith("undecryptable: ");

        BatchOutcome again = rewriter.rewrite(mine(tampered.id()), NO_SETTLE, "test");
        assertThat(again.undecryptable()).isEqualTo(1);
        assertThat(again.letters()).as("parked once: no second letter").isEmpty();
    }

    @Test
    void aClaimThatFindsTheRefreshTokenUndecryptableParksTheConnectionOnceAndItsMessageTurnsStale() {
        Registered tampered = store.register(aConnection().build(), now);
        Tampering.flipLastBit(jdbc, tampered.id(), "refresh_token_enc");
        var claim = (dev.tokenrefresher.common.connection.ClaimResult.Undecryptable) claims.claim(tampered.id(),
                tampered.fence(), "w1", Duration.ofSeconds(30));
        UndecryptableConnections undecryptable = undecryptable();
        var message = new dev.tokenrefresher.common.messaging.RefreshMessage(tampered.id(), tampered.fence(), now, 2);

        DeadLetter letter = undecryptable.park(claim, message, "w1").orElseThrow();

        assertThat(letter.reason()).isEqualTo("undecryptable");
        assertThat(letter.attempts()).isEqualTo(3);
        assertThat(letter.detail()).doesNotContain("test_rt_", "test_at_");
        assertThat(claims.claim(tampered.id(), tampered.fence(), "w2", Duration.ofSeconds(30)))
                .as("its queued message is stale now").isInstanceOf(
                        dev.tokenrefresher.common.connection.ClaimResult.StaleFence.class);
        assertThat(undecryptable.park(claim, message, "w1")).as("the same claim parks nothing twice").isEmpty();
        assertThat(jdbc.sql("SELECT count(*) FROM refresh_attempt WHERE connection_id = :id AND error_code = "
                + "'undecryptable' AND outcome = 'REJECTED'").param("id", tampered.id()).query(Long.class).single())
                .isEqualTo(1);
    }

    @Test
    void aDisconnectedConnectionHoldsNothingToRewriteOrCount() {
        Registered gone = store.register(aConnection().build(), now);
        store.disconnect(gone.id(), now, false);

        assertThat(mine(gone.id())).isEmpty();
        assertThat(rewrites.usage()).allSatisfy(use -> assertThat(use.format()).as("erased values are no values")
                .isNotEqualTo(-1));
    }

    @Test
    void anUndecryptableConnectionCanStillBeDisconnectedThoughNothingIsLeftToRevokeWith() {
        Registered tampered = store.register(aConnection().build(), now);
        Tampering.flipLastBit(jdbc, tampered.id(), "refresh_token_enc");

        var disconnected = store.disconnect(tampered.id(), now, true);

        assertThat(disconnected).hasValueSatisfying(ended -> assertThat(ended.refreshToken()).isNull());
        assertThat(store.find(tampered.id()).orElseThrow().status()).isEqualTo(
                dev.tokenrefresher.common.connection.ConnectionStatus.DISCONNECTED);
    }

    private UndecryptableConnections undecryptable() {
        return new UndecryptableConnections(outcomes, rewrites, pending, new RefreshMessageCodec(new ObjectMapper()),
                Clock.systemUTC());
    }

    /** The rows the rewriter would be handed, of this test's connections only. */
    private List<EncryptedValues> mine(UUID... ids) {
        Set<UUID> wanted = Set.of(ids);
        Map<UUID, EncryptedValues> found = new HashMap<>();
        UUID cursor = new UUID(0, 0);
        List<EncryptedValues> batch;
        do {
            batch = rewriter.next(cursor, 1000);
            batch.stream().filter(row -> wanted.contains(row.id())).forEach(row -> found.put(row.id(), row));
            cursor = batch.isEmpty() ? cursor : batch.getLast().id();
        } while (!batch.isEmpty());
        return wanted.stream().filter(found::containsKey).sorted().map(found::get).toList();
    }

    private EncryptedValues read(UUID id) {
        return jdbc.sql("SELECT realm_id_enc, access_token_enc, refresh_token_enc FROM connection WHERE id = :id")
                .param("id", id)
                .query((rs, n) -> new EncryptedValues(id, null, null, 0, true, rs.getBytes(1), rs.getBytes(2), rs
                        .getBytes(3)))
                .single();
    }

    private void writeInLegacyFormat(UUID id, NewConnection connection) {
        TestKeys.storeInLegacyFormat(jdbc, id, connection);
        assertThat(TokenCipher.formatOf(read(id).accessToken())).isEqualTo(TokenCipher.LEGACY_FORMAT);
    }

    private static CipherBinding binding(UUID id, String column) {
        return CipherBinding.connection(id, column);
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import({CryptoConfiguration.class, ConnectionPersistenceConfiguration.class})
    static class StoreOnly {
        @Bean
        Clock clock() {
            return Clock.systemUTC();
        }
    }
}
