package dev.tokenrefresher.sandbox.token;

import static dev.tokenrefresher.sandbox.SandboxHttp.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import dev.tokenrefresher.sandbox.MutableClock;
import dev.tokenrefresher.sandbox.authorize.AuthorizationCodes;
import dev.tokenrefresher.sandbox.authorize.AuthorizationCounts;
import dev.tokenrefresher.sandbox.authorize.AuthorizeProperties;
import dev.tokenrefresher.sandbox.faults.AfterRotationFaults;
import dev.tokenrefresher.sandbox.faults.CallCount;
import dev.tokenrefresher.sandbox.faults.FaultDecider;
import dev.tokenrefresher.sandbox.faults.FaultDecision;
import dev.tokenrefresher.sandbox.faults.FaultKind;
import dev.tokenrefresher.sandbox.faults.InjectedFault;
import dev.tokenrefresher.sandbox.faults.TailDecision;
import dev.tokenrefresher.sandbox.faults.TailFaults;
import dev.tokenrefresher.sandbox.faults.TailGroup;
import dev.tokenrefresher.sandbox.settings.RuntimeSettings;
import dev.tokenrefresher.sandbox.settings.SandboxProperties;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;

class TokenAuthorityTest {

    private static final ClientCredentials CLIENT = new ClientCredentials(SandboxProperties.DEFAULT_CLIENT_ID,
            SandboxProperties.DEFAULT_CLIENT_SECRET);
    private static final Pause NO_PAUSE = duration -> {
    };
    private static final AuthorizationCounts NO_AUTHORIZATIONS = new AuthorizationCounts(0, 0, 0, 0, 0, 0);
    private static final FaultDecider NO_FAULTS = () -> new FaultDecision.Proceed(Duration.ZERO);

    private final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
    private TokenAuthority authority;
    private ConnectionMint mint;
    private ConnectionControl control;
    private SandboxCounters counters;
    private SandboxReset reset;

    @BeforeEach
    void startWithDefaults() {
        start(SandboxProperties.defaults(), NO_PAUSE);
    }

    private void start(SandboxProperties properties, Pause pause) {
        start(properties, NO_FAULTS, pause);
    }

    private void start(SandboxProperties properties, FaultDecider faults, Pause pause) {
        start(properties, faults, new TailFaults(), pause);
    }

    /** Wires the token package's beans as Spring does, in place of those the test had so far. */
    private void start(SandboxProperties properties, FaultDecider faults, TailFaults tail, Pause pause) {
        RuntimeSettings settings = new RuntimeSettings(properties);
        AuthorizationCodes codes = new AuthorizationCodes(clock, AuthorizeProperties.defaults());
        ConnectionRegistry connections = new ConnectionRegistry();
        mint = new ConnectionMint(clock, properties, settings, connections);
        control = new ConnectionControl(connections, settings, tail);
        counters = new SandboxCounters(connections, codes);
        reset = new SandboxReset(connections, counters, codes);
        authority = new TokenAuthority(clock, properties, settings, faults, new AfterRotationFaults(), tail, pause,
                new CodeExchange(codes, mint, control), connections, counters);
    }

    private static SandboxProperties rotatingEvery(int rotateEvery) {
        return new SandboxProperties(null, null, null, null, null, rotateEvery, null);
    }

    private MintedConnection mintOne() {
        return mint.mint(1).getFirst();
    }

    private TokenAnswer refresh(String refreshToken) {
        return authority.answer(new TokenRequest(Optional.of(CLIENT), "refresh_token", refreshToken, false));
    }

    private TokenGrant refreshed(String refreshToken) {
        TokenAnswer answer = refresh(refreshToken);
        assertThat(answer).isInstanceOf(TokenGrant.class);
        return (TokenGrant) answer;
    }

    private ConnectionReport report(MintedConnection connection) {
        return control.report(connection.realmId()).orElseThrow();
    }

    private static TokenRefusal invalidGrant(InvalidGrantReason reason) {
        return TokenRefusal.invalidGrant(reason);
    }

    @Nested
    class Minting {

        @Test
        void mintedConnectionsHaveDistinctIntuitLikeRealmIdsAndPrefixedTokens() {
            List<MintedConnection> minted = mint.mint(50);

            assertThat(minted).hasSize(50);
            assertThat(minted).extracting(MintedConnection::realmId)
                    .doesNotHaveDuplicates()
                    .allMatch(realmId -> realmId.matches("9130\\d{12}"));
            assertThat(minted).extracting(MintedConnection::refreshToken)
                    .doesNotHaveDuplicates()
                    .allMatch(token -> token.matches("sbx_rt_[A-Za-z0-9_-]{43}"));
            assertThat(minted).extracting(MintedConnection::accessToken)
                    .allMatch(token -> token.matches("sbx_at_[A-Za-z0-9_-]{43}"));
        }

        @Test
        void mintedConnectionReportsIntuitDefaultLifetimes() {
            MintedConnection minted = mintOne();

            assertThat(minted.tokenType()).isEqualTo("bearer");
            assertThat(minted.expiresIn()).isEqualTo(3600);
            assertThat(minted.xRefreshTokenExpiresIn()).isEqualTo(Duration.ofDays(100).toSeconds());
        }

        @Test
        void mintedConnectionStartsWithNoActivity() {
            MintedConnection minted = mintOne();

            assertThat(report(minted)).isEqualTo(new ConnectionReport(minted.realmId(), 0, 0, 0, 0, 0, false,
                    clock.instant().plusSeconds(3600), clock.instant().plus(Duration.ofDays(100)),
                    clock.instant().plus(Duration.ofDays(5 * 365)), sha256(minted.refreshToken()), 0, 0, 0, 0, 0, 0, 0,
                    TailGroup.OTHER));
        }
    }

    @Nested
    class Rotation {

        @Test
        void everyRefreshRotatesTheRefreshTokenByDefault() {
            MintedConnection minted = mintOne();

            TokenGrant first = refreshed(minted.refreshToken());
            TokenGrant second = refreshed(first.refreshToken());

            assertThat(first.refreshToken()).isNotEqualTo(minted.refreshToken()).startsWith("sbx_rt_");
            assertThat(second.refreshToken()).isNotEqualTo(first.refreshToken());
            assertThat(report(minted).refreshes()).isEqualTo(2);
            assertThat(report(minted).currentRefreshTokenSha256()).isEqualTo(sha256(second.refreshToken()));
        }

        @Test
        void rotatedAwayRefreshTokenIsInvalidGrant() {
            MintedConnection minted = mintOne();
            refreshed(minted.refreshToken());

            assertThat(refresh(minted.refreshToken())).isEqualTo(invalidGrant(InvalidGrantReason.ROTATED_AWAY));
            assertThat(report(minted).invalidGrants()).isEqualTo(1);
            assertThat(counters.stats().unknownTokenGrants()).isZero();
        }

        @Test
        void rotateEveryNReturnsTheSameRefreshTokenUntilTheNthRefresh() {
            start(rotatingEvery(3), NO_PAUSE);
            MintedConnection minted = mintOne();

            TokenGrant first = refreshed(minted.refreshToken());
            TokenGrant second = refreshed(first.refreshToken());
            TokenGrant third = refreshed(second.refreshToken());
            TokenGrant fourth = refreshed(third.refreshToken());

            assertThat(List.of(first.refreshToken(), second.refreshToken())).containsOnly(minted.refreshToken());
            assertThat(third.refreshToken()).isNotEqualTo(minted.refreshToken());
            assertThat(fourth.refreshToken()).isEqualTo(third.refreshToken());
            assertThat(refresh(minted.refreshToken())).isEqualTo(invalidGrant(InvalidGrantReason.ROTATED_AWAY));
        }

        @Test
        void rotateEveryZeroNeverRotates() {
            start(rotatingEvery(0), NO_PAUSE);
            MintedConnection minted = mintOne();

            for (int i = 0; i < 5; i++) {
                assertThat(refreshed(minted.refreshToken()).refreshToken()).isEqualTo(minted.refreshToken());
            }
            assertThat(report(minted).refreshes()).isEqualTo(5);
        }

        @Test
        void eachRefreshIssuesANewAccessTokenWithANewExpiry() {
            start(rotatingEvery(0), NO_PAUSE);
            MintedConnection minted = mintOne();

            TokenGrant first = refreshed(minted.refreshToken());
            clock.advance(Duration.ofSeconds(100));
            TokenGrant second = refreshed(minted.refreshToken());

            assertThat(first.accessToken()).isNotEqualTo(minted.accessToken()).startsWith("sbx_at_");
            assertThat(second.accessToken()).isNotEqualTo(first.accessToken());
            assertThat(second.expiresIn()).isEqualTo(3600);
            assertThat(report(minted).accessTokenExpiresAt()).isEqualTo(clock.instant().plusSeconds(3600));
        }
    }

    @Nested
    class Expiry {

        @Test
        void refreshTokenUnusedForItsRollingLifetimeIsExpired() {
            MintedConnection minted = mintOne();
            clock.advance(Duration.ofDays(100));

            assertThat(refresh(minted.refreshToken())).isEqualTo(invalidGrant(InvalidGrantReason.EXPIRED));
            assertThat(report(minted).invalidGrants()).isEqualTo(1);
        }

        @Test
        void eachRefreshExtendsTheRollingExpiry() {
            start(rotatingEvery(0), NO_PAUSE);
            MintedConnection minted = mintOne();

            clock.advance(Duration.ofDays(99));
            TokenGrant grant = refreshed(minted.refreshToken());
            clock.advance(Duration.ofDays(99));

            assertThat(grant.refreshTokenExpiresIn()).isEqualTo(Duration.ofDays(100).toSeconds());
            assertThat(refresh(minted.refreshToken())).isInstanceOf(TokenGrant.class);
        }

        @Test
        void hardLifetimeCapsTheRollingExpiry() {
            start(new SandboxProperties(null, null, null, Duration.ofDays(100), Duration.ofDays(150),
                    0, null), NO_PAUSE);
            MintedConnection minted = mintOne();

            clock.advance(Duration.ofDays(99));
            TokenGrant grant = refreshed(minted.refreshToken());
            clock.advance(Duration.ofDays(51));

            assertThat(grant.refreshTokenExpiresIn()).isEqualTo(Duration.ofDays(51).toSeconds());
            assertThat(refresh(minted.refreshToken())).isEqualTo(invalidGrant(InvalidGrantReason.HARD_EXPIRED));
            assertThat(counters.stats().hardExpiredGrants()).isEqualTo(1);
        }

        @Test
        void hardExpiryIsReportedOnlyWhenAskedFor() {
            MintedConnection minted = mintOne();
            clock.advance(Duration.ofDays(10));

            TokenGrant plain = refreshed(minted.refreshToken());
            TokenAnswer asked = authority.answer(
                    new TokenRequest(Optional.of(CLIENT), "refresh_token", plain.refreshToken(), true));

            assertThat(plain.refreshTokenHardExpiresIn()).isNull();
            assertThat(((TokenGrant) asked).refreshTokenHardExpiresIn())
                    .isEqualTo(Duration.ofDays(5 * 365 - 10).toSeconds());
        }
    }

    @Nested
    class Refusals {

        @Test
        void unknownRefreshTokenIsInvalidGrantCountedGlobally() {
            mintOne();

            assertThat(refresh("sbx_rt_never-issued")).isEqualTo(invalidGrant(InvalidGrantReason.UNKNOWN));
            assertThat(counters.stats().unknownTokenGrants()).isEqualTo(1);
            assertThat(counters.stats().invalidGrants()).isEqualTo(1);
        }

        @Test
        void revokedConnectionRefusesItsRefreshToken() {
            MintedConnection minted = mintOne();

            assertThat(control.revoke(minted.realmId())).isTrue();

            assertThat(refresh(minted.refreshToken())).isEqualTo(invalidGrant(InvalidGrantReason.REVOKED));
            assertThat(report(minted).revoked()).isTrue();
            assertThat(report(minted).invalidGrants()).isEqualTo(1);
        }

        @Test
        void revokingAnUnknownRealmChangesNothing() {
            assertThat(control.revoke("9130000000000000")).isFalse();
        }

        @Test
        void invalidGrantDescriptionsNeverContainTheToken() {
            MintedConnection minted = mintOne();
            refreshed(minted.refreshToken());

            assertThat(refresh(minted.refreshToken())).asString().doesNotContain(minted.refreshToken());
            assertThat(((TokenRefusal) refresh(minted.refreshToken())).description())
                    .contains("rotated away");
        }

        @Test
        void wrongClientSecretIsInvalidClient() {
            MintedConnection minted = mintOne();

            TokenAnswer answer = authority.answer(new TokenRequest(
                    Optional.of(new ClientCredentials(CLIENT.clientId(), "wrong")), "refresh_token",
                    minted.refreshToken(), false));

            assertThat(answer).isEqualTo(TokenRefusal.of(OAuthError.INVALID_CLIENT));
            assertThat(counters.stats().invalidClientAnswers()).isEqualTo(1);
            assertThat(report(minted).refreshes()).isZero();
        }

        @Test
        void missingClientCredentialsAreInvalidClient() {
            TokenAnswer answer = authority
                    .answer(new TokenRequest(Optional.empty(), "refresh_token", mintOne().refreshToken(), false));

            assertThat(answer).isEqualTo(TokenRefusal.of(OAuthError.INVALID_CLIENT));
        }

        @Test
        void grantTypeOtherThanRefreshTokenOrAuthorizationCodeIsUnsupported() {
            TokenAnswer answer = authority.answer(
                    new TokenRequest(Optional.of(CLIENT), "client_credentials", mintOne().refreshToken(), false));

            assertThat(answer).isEqualTo(TokenRefusal.of(OAuthError.UNSUPPORTED_GRANT_TYPE));
        }

        @Test
        void missingGrantTypeOrRefreshTokenIsInvalidRequest() {
            TokenAnswer noGrantType = authority
                    .answer(new TokenRequest(Optional.of(CLIENT), null, mintOne().refreshToken(), false));
            TokenAnswer noRefreshToken = authority
                    .answer(new TokenRequest(Optional.of(CLIENT), "refresh_token", null, false));

            assertThat(noGrantType).extracting(answer -> ((TokenRefusal) answer).error())
                    .isEqualTo(OAuthError.INVALID_REQUEST);
            assertThat(noRefreshToken).extracting(answer -> ((TokenRefusal) answer).error())
                    .isEqualTo(OAuthError.INVALID_REQUEST);
        }
    }

    @Nested
    class Counting {

        @Test
        void theRefreshCounterCountsWhatTheStatsCountWithoutRefusals() {
            List<MintedConnection> minted = mint.mint(3);
            minted.forEach(connection -> refreshed(connection.refreshToken()));
            refresh(minted.getFirst().refreshToken());
            refresh("sbx_rt_unknown");

            assertThat(counters.refreshes()).isEqualTo(3).isEqualTo(counters.stats().refreshes());

            reset.reset();

            assertThat(counters.refreshes()).isZero();
        }

        @Test
        void refreshAfterTheAccessTokenExpiredIsCounted() {
            MintedConnection minted = mintOne();
            clock.advance(Duration.ofSeconds(3600));

            refreshed(minted.refreshToken());

            assertThat(report(minted).refreshesAfterAccessExpiry()).isEqualTo(1);
            assertThat(counters.stats().refreshesAfterAccessExpiry()).isEqualTo(1);
        }

        @Test
        void refreshBeforeTheAccessTokenExpiredIsNotCountedAsLate() {
            MintedConnection minted = mintOne();
            clock.advance(Duration.ofSeconds(3599));

            refreshed(minted.refreshToken());

            assertThat(report(minted).refreshesAfterAccessExpiry()).isZero();
        }

        @Test
        void sequentialRefreshesDoNotOverlap() {
            MintedConnection minted = mintOne();

            refreshed(refreshed(minted.refreshToken()).refreshToken());

            assertThat(report(minted).overlappingRefreshes()).isZero();
        }

        @Test
        void requestArrivingWhileAnotherForTheSameConnectionIsInFlightOverlapsAndLosesTheRotationRace()
                throws Exception {
            CountDownLatch firstIsPaused = new CountDownLatch(1);
            CountDownLatch releaseFirst = new CountDownLatch(1);
            AtomicBoolean firstCall = new AtomicBoolean(true);
            start(SandboxProperties.defaults(), duration -> {
                if (firstCall.getAndSet(false)) {
                    firstIsPaused.countDown();
                    awaitQuietly(releaseFirst);
                }
            });
            MintedConnection minted = mintOne();
            MintedConnection other = mintOne();

            try (ExecutorService executor = Executors.newSingleThreadExecutor()) {
                Future<TokenAnswer> first = executor.submit(() -> refresh(minted.refreshToken()));
                assertThat(firstIsPaused.await(10, TimeUnit.SECONDS)).isTrue();
                assertThat(counters.stats().inFlight()).isEqualTo(1);

                TokenAnswer second = refresh(minted.refreshToken());
                refreshed(other.refreshToken());
                releaseFirst.countDown();

                assertThat(second).isInstanceOf(TokenGrant.class);
                assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(invalidGrant(InvalidGrantReason.ROTATED_AWAY));
            }
            assertThat(report(minted).overlappingRefreshes()).isEqualTo(1);
            assertThat(report(minted).refreshes()).isEqualTo(1);
            assertThat(report(minted).invalidGrants()).isEqualTo(1);
            assertThat(report(other).overlappingRefreshes()).isZero();
            assertThat(counters.stats().inFlight()).isZero();
        }

        @Test
        void decidedLatencyIsSpentInsideEachTokenRequest() {
            List<Duration> pauses = new CopyOnWriteArrayList<>();
            start(SandboxProperties.defaults(), () -> new FaultDecision.Proceed(Duration.ofMillis(250)),
                    pauses::add);

            refresh(mintOne().refreshToken());
            refresh("sbx_rt_unknown");

            assertThat(pauses).containsExactly(Duration.ofMillis(250), Duration.ofMillis(250));
        }

        @Test
        void statsAddUpAllConnections() {
            MintedConnection first = mintOne();
            MintedConnection second = mintOne();
            refreshed(first.refreshToken());
            refreshed(second.refreshToken());
            refresh(first.refreshToken());
            refresh("sbx_rt_unknown");
            authority.answer(new TokenRequest(Optional.empty(), "refresh_token", "x", false));

            assertThat(counters.stats()).isEqualTo(new SandboxStats(2, 5, 2, 0, 2, 1, 0, 0, 1, 0, FaultCounts.NONE,
                    AfterRotationCounts.NONE,
                    new TreeMap<>(Map.of(200, 2L, 400, 2L, 401, 1L)), NO_AUTHORIZATIONS));
        }
    }

    /** Tail faults aimed at the first call of a connection: what the token logic and the counters make of them. */
    @Nested
    class Tail {

        private static final Duration HANG = Duration.ofSeconds(10);
        private static final Duration SLOW = Duration.ofMillis(3_456);

        /** The connection minted first gets {@code first} on its first call; every other call is unaffected. */
        private TailFaults firstCallOfFirstConnection(TailDecision first) {
            return new TailFaults() {
                @Override
                public TailDecision decide(long connectionNumber, CallCount calls) {
                    return connectionNumber == 1 && calls.callSince(1) == 1 ? first : TailDecision.UNAFFECTED;
                }

                @Override
                public TailGroup groupOf(long connectionNumber) {
                    return connectionNumber == 1 ? TailGroup.HANG : TailGroup.OTHER;
                }
            };
        }

        /** A pause of {@code held} says it has begun and waits for {@code release}; any other passes at once. */
        private static Pause holding(Duration held, CountDownLatch begun, CountDownLatch release) {
            return duration -> {
                if (duration.equals(held)) {
                    begun.countDown();
                    awaitQuietly(release);
                }
            };
        }

        private static TailDecision.Hang hang() {
            return new TailDecision.Hang(HANG, new InjectedFault(FaultKind.HANG, 504, Map.of(), MediaType.TEXT_HTML,
                    "<html>504</html>"));
        }

        @Test
        void hungCallIsHeldForItsHangThenAnswers504WithoutTouchingTheChain() {
            List<Duration> pauses = new CopyOnWriteArrayList<>();
            start(SandboxProperties.defaults(), NO_FAULTS, firstCallOfFirstConnection(hang()),
                    pauses::add);
            MintedConnection minted = mintOne();

            TokenAnswer hung = refresh(minted.refreshToken());
            TokenGrant retried = refreshed(minted.refreshToken());

            assertThat(hung.status()).isEqualTo(504);
            assertThat(pauses).containsExactly(HANG, Duration.ZERO);
            assertThat(retried.refreshToken()).isNotEqualTo(minted.refreshToken());
            ConnectionReport report = report(minted);
            assertThat(List.of(report.calls(), report.hungCalls(), report.slowCalls(), report.refreshes(), report
                    .invalidGrants())).containsExactly(2L, 1L, 0L, 1L, 0L);
            assertThat(report.tailGroup()).isEqualTo(TailGroup.HANG);
            assertThat(counters.stats().faultsInjected().hang()).isEqualTo(1);
        }

        @Test
        void callArrivingWhileAnotherIsHungOverlapsItAndTheHungOneRotatesNothing() throws Exception {
            CountDownLatch hanging = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            start(SandboxProperties.defaults(), NO_FAULTS, firstCallOfFirstConnection(hang()),
                    holding(HANG, hanging, release));
            MintedConnection minted = mintOne();

            try (ExecutorService executor = Executors.newSingleThreadExecutor()) {
                Future<TokenAnswer> hung = executor.submit(() -> refresh(minted.refreshToken()));
                assertThat(hanging.await(10, TimeUnit.SECONDS)).isTrue();

                // a provider that still holds a request could serve it: the held one is in flight for its connection
                assertThat(report(minted).inFlight()).isEqualTo(1);
                refreshed(minted.refreshToken());
                assertThat(counters.stats().inFlight()).isEqualTo(1);
                release.countDown();
                assertThat(hung.get(10, TimeUnit.SECONDS).status()).isEqualTo(504);
            }
            assertThat(report(minted).inFlight()).isZero();
            assertThat(report(minted).overlappingRefreshes()).isEqualTo(1);
            assertThat(report(minted).refreshes()).isEqualTo(1);
            assertThat(report(minted).invalidGrants()).isZero();
        }

        @Test
        void slowCallIsInFlightAllAlongSoACallMeanwhileOverlaps() throws Exception {
            CountDownLatch slow = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            start(SandboxProperties.defaults(), NO_FAULTS, firstCallOfFirstConnection(
                    new TailDecision.Slow(SLOW)), holding(SLOW, slow, release));
            MintedConnection minted = mintOne();

            try (ExecutorService executor = Executors.newSingleThreadExecutor()) {
                Future<TokenAnswer> first = executor.submit(() -> refresh(minted.refreshToken()));
                assertThat(slow.await(10, TimeUnit.SECONDS)).isTrue();
                assertThat(report(minted).inFlight()).isEqualTo(1);

                refreshed(minted.refreshToken());
                release.countDown();
                assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(invalidGrant(InvalidGrantReason.ROTATED_AWAY));
            }
            ConnectionReport report = report(minted);
            assertThat(List.of(report.calls(), report.slowCalls(), report.overlappingRefreshes())).containsExactly(2L,
                    1L, 1L);
        }

        @Test
        void slowCallTakesItsOwnLatencyInsteadOfTheDecidedOne() {
            List<Duration> pauses = new CopyOnWriteArrayList<>();
            start(SandboxProperties.defaults(), () -> new FaultDecision.Proceed(Duration.ofMillis(
                    100)), firstCallOfFirstConnection(new TailDecision.Slow(SLOW)), pauses::add);
            MintedConnection slow = mintOne();
            MintedConnection other = mintOne();

            TokenGrant slowGrant = refreshed(slow.refreshToken());
            refreshed(other.refreshToken());
            refreshed(slowGrant.refreshToken());

            assertThat(pauses).containsExactly(SLOW, Duration.ofMillis(100), Duration.ofMillis(100));
            assertThat(report(other).tailGroup()).isEqualTo(TailGroup.OTHER);
            assertThat(report(other).slowCalls()).isZero();
        }
    }

    @Nested
    class ReuseGrace {

        private static final Duration GRACE = Duration.ofMinutes(30);

        private MintedConnection mintWithGrace() {
            return mint.mint(1, GRACE).getFirst();
        }

        @Test
        void replacedTokenWithinTheGraceGetsAFreshPairAndIsNoInvalidGrant() {
            MintedConnection minted = mintWithGrace();
            TokenGrant lost = refreshed(minted.refreshToken());
            clock.advance(GRACE.minusSeconds(1));

            TokenGrant again = refreshed(minted.refreshToken());

            assertThat(again.refreshToken()).isNotEqualTo(lost.refreshToken()).isNotEqualTo(minted.refreshToken());
            ConnectionReport report = report(minted);
            assertThat(report.invalidGrants()).isZero();
            assertThat(report.refreshes()).isEqualTo(2);
            assertThat(report.graceReuses()).isEqualTo(1);
            assertThat(report.currentRefreshTokenSha256()).isEqualTo(sha256(again.refreshToken()));
        }

        @Test
        void unusedSuccessorIsDroppedWhenTheReplacedTokenIsUsedAgain() {
            MintedConnection minted = mintWithGrace();
            TokenGrant lost = refreshed(minted.refreshToken());
            refreshed(minted.refreshToken());

            assertThat(refresh(lost.refreshToken())).isEqualTo(invalidGrant(InvalidGrantReason.ROTATED_AWAY));
        }

        @Test
        void graceIsCountedFromTheRotationAndNotExtendedByAReuse() {
            MintedConnection minted = mintWithGrace();
            refreshed(minted.refreshToken());
            clock.advance(Duration.ofMinutes(20));
            refreshed(minted.refreshToken());
            clock.advance(Duration.ofMinutes(10));

            assertThat(refresh(minted.refreshToken())).isEqualTo(invalidGrant(InvalidGrantReason.ROTATED_AWAY));
        }

        @Test
        void tokenTwoRotationsBackIsRefusedWithinTheGrace() {
            MintedConnection minted = mintWithGrace();
            TokenGrant first = refreshed(minted.refreshToken());
            refreshed(first.refreshToken());

            assertThat(refresh(minted.refreshToken())).isEqualTo(invalidGrant(InvalidGrantReason.ROTATED_AWAY));
        }

        @Test
        void strictByDefaultAndAConnectionsOwnGraceCanBeChanged() {
            MintedConnection minted = mintOne();
            TokenGrant first = refreshed(minted.refreshToken());
            assertThat(refresh(minted.refreshToken())).isEqualTo(invalidGrant(InvalidGrantReason.ROTATED_AWAY));

            assertThat(control.changeReuseGrace(minted.realmId(), GRACE)).isTrue();
            refreshed(first.refreshToken());

            assertThat(refreshed(first.refreshToken())).isNotNull();
            assertThat(report(minted).reuseGraceSeconds()).isEqualTo(GRACE.toSeconds());
            assertThat(control.changeReuseGrace("9130000000000000", GRACE)).isFalse();
        }

        @Test
        void revokedChainRefusesTheReplacedTokenToo() {
            MintedConnection minted = mintWithGrace();
            refreshed(minted.refreshToken());
            control.revoke(minted.realmId());

            assertThat(refresh(minted.refreshToken())).isEqualTo(invalidGrant(InvalidGrantReason.REVOKED));
        }
    }

    @Nested
    class AnswerDelay {

        @Test
        void connectionsOwnAnswerDelayHoldsOnlyItsGrantsAfterTheRotationWhileTheyCountInFlight() {
            List<String> whilePaused = new CopyOnWriteArrayList<>();
            MintedConnection[] held = new MintedConnection[1];
            start(SandboxProperties.defaults(), duration -> {
                if (duration.isZero()) {
                    return; // the latency, none here
                }
                ConnectionReport report = report(held[0]);
                whilePaused.add(duration.toMillis() + " ms, refreshes " + report.refreshes() + ", in flight "
                        + report.inFlight());
            });
            held[0] = mintOne();
            MintedConnection other = mintOne();

            assertThat(control.changeAnswerDelay(held[0].realmId(), Duration.ofMillis(1500))).isTrue();
            refreshed(held[0].refreshToken());
            refreshed(other.refreshToken());

            // held after the rotation (the refresh counted already), as one request in flight; the other not held
            assertThat(whilePaused).containsExactly("1500 ms, refreshes 1, in flight 1");
            assertThat(report(held[0]).answerDelayMillis()).isEqualTo(1500);
            assertThat(report(held[0]).inFlight()).isZero();
            assertThat(report(other).answerDelayMillis()).isZero();
        }

        @Test
        void connectionFollowsTheRunTimeDefaultAgainWithNullAndAnUnknownRealmIsNoChange() {
            MintedConnection minted = mintOne();
            control.changeAnswerDelay(minted.realmId(), Duration.ofSeconds(2));

            assertThat(control.changeAnswerDelay(minted.realmId(), null)).isTrue();

            assertThat(report(minted).answerDelayMillis()).isZero();
            assertThat(control.changeAnswerDelay("9130000000000000", Duration.ofSeconds(2))).isFalse();
        }
    }

    @Nested
    class Control {

        @Test
        void reportCarriesTheHashOfTheCurrentRefreshTokenNeverTheToken() {
            MintedConnection minted = mintOne();
            TokenGrant grant = refreshed(minted.refreshToken());

            ConnectionReport report = report(minted);

            assertThat(report.currentRefreshTokenSha256()).isEqualTo(sha256(grant.refreshToken()));
            assertThat(report.toString()).doesNotContain(grant.refreshToken()).doesNotContain("sbx_");
        }

        @Test
        void reportsListConnectionsOldestFirst() {
            List<MintedConnection> minted = mint.mint(20);

            assertThat(control.reports()).extracting(ConnectionReport::realmId)
                    .containsExactlyElementsOf(minted.stream().map(MintedConnection::realmId).toList());
        }

        @Test
        void resetForgetsConnectionsTokensAndCounters() {
            MintedConnection minted = mintOne();
            refreshed(minted.refreshToken());
            refresh("sbx_rt_unknown");

            reset.reset();

            assertThat(counters.stats()).isEqualTo(new SandboxStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, FaultCounts.NONE,
                    AfterRotationCounts.NONE,
                    new TreeMap<>(), NO_AUTHORIZATIONS));
            assertThat(control.report(minted.realmId())).isEmpty();
            assertThat(refresh(minted.refreshToken())).isEqualTo(invalidGrant(InvalidGrantReason.UNKNOWN));
        }
    }

    @Nested
    class InjectedFaults {

        private final Deque<FaultDecision> script = new ArrayDeque<>();

        /** Answers the scripted decisions in order, and lets every request through once they are used up. */
        private void scripted(Pause pause, FaultDecision... decisions) {
            script.addAll(List.of(decisions));
            start(SandboxProperties.defaults(), () -> {
                FaultDecision next = script.poll();
                return next == null ? new FaultDecision.Proceed(Duration.ZERO) : next;
            }, pause);
        }

        private static FaultDecision inject(FaultKind kind, int status) {
            return new FaultDecision.Inject(Duration.ZERO,
                    new InjectedFault(kind, status, Map.of(), MediaType.APPLICATION_JSON, "{}"));
        }

        @Test
        void faultedRequestsLeaveTheConnectionAsItWasAndItsTokenUsable() {
            scripted(NO_PAUSE, inject(FaultKind.ERROR, 503), inject(FaultKind.RATE_LIMITED, 429),
                    inject(FaultKind.HANG, 504), inject(FaultKind.OUTAGE, 503), inject(FaultKind.INVALID_CLIENT, 401));
            MintedConnection minted = mintOne();
            ConnectionReport before = report(minted);
            clock.advance(Duration.ofSeconds(10));

            List<TokenAnswer> faulted = List.of(refresh(minted.refreshToken()), refresh(minted.refreshToken()),
                    refresh(minted.refreshToken()), refresh(minted.refreshToken()), refresh(minted.refreshToken()));
            ConnectionReport afterFaults = report(minted);
            TokenGrant grant = refreshed(minted.refreshToken());

            assertThat(faulted).extracting(TokenAnswer::status).containsExactly(503, 429, 504, 503, 401);
            assertThat(afterFaults).isEqualTo(before);
            assertThat(grant.refreshToken()).isNotEqualTo(minted.refreshToken());
            assertThat(report(minted).refreshes()).isEqualTo(1);
            assertThat(report(minted).currentRefreshTokenSha256()).isEqualTo(sha256(grant.refreshToken()));
        }

        @Test
        void faultedRequestsCountAsRequestsByKindAndByStatus() {
            scripted(NO_PAUSE, inject(FaultKind.ERROR, 502), inject(FaultKind.ERROR, 500),
                    inject(FaultKind.RATE_LIMITED, 429), inject(FaultKind.OUTAGE, 503),
                    inject(FaultKind.INVALID_CLIENT, 401));
            String refreshToken = mintOne().refreshToken();

            for (int i = 0; i < 5; i++) {
                refresh(refreshToken);
            }
            refresh(refreshToken);

            SandboxStats stats = counters.stats();
            assertThat(stats.requests()).isEqualTo(6);
            assertThat(stats.refreshes()).isEqualTo(1);
            assertThat(stats.invalidClientAnswers()).isZero();
            assertThat(stats.faultsInjected()).isEqualTo(new FaultCounts(2, 1, 0, 1, 1));
            assertThat(stats.requestsByStatus()).containsExactly(entry(200, 1L), entry(401, 1L), entry(429, 1L),
                    entry(500, 1L), entry(502, 1L), entry(503, 1L));
        }

        @Test
        void faultedRequestIsInFlightForItsWholeDelay() {
            List<Integer> inFlightWhilePaused = new CopyOnWriteArrayList<>();
            List<Duration> pauses = new CopyOnWriteArrayList<>();
            scripted(duration -> {
                pauses.add(duration);
                inFlightWhilePaused.add(counters.stats().inFlight());
            }, new FaultDecision.Inject(Duration.ofSeconds(30),
                    new InjectedFault(FaultKind.HANG, 504, Map.of(), MediaType.TEXT_HTML, "<html></html>")));

            TokenAnswer answer = refresh(mintOne().refreshToken());

            assertThat(answer).isInstanceOf(FaultAnswer.class).extracting(TokenAnswer::status).isEqualTo(504);
            assertThat(pauses).containsExactly(Duration.ofSeconds(30));
            assertThat(inFlightWhilePaused).containsExactly(1);
            assertThat(counters.stats().inFlight()).isZero();
            assertThat(counters.stats().faultsInjected().hang()).isEqualTo(1);
        }

        @Test
        void aRequestArrivingWhileAHangForTheSameConnectionIsHeldOverlapsAndNothingRotatesForTheHang()
                throws Exception {
            CountDownLatch hangIsHeld = new CountDownLatch(1);
            CountDownLatch releaseHang = new CountDownLatch(1);
            scripted(duration -> {
                if (duration.equals(Duration.ofSeconds(30))) {
                    hangIsHeld.countDown();
                    awaitQuietly(releaseHang);
                }
            }, new FaultDecision.Inject(Duration.ofSeconds(30),
                    new InjectedFault(FaultKind.HANG, 504, Map.of(), MediaType.TEXT_HTML, "<html></html>")));
            MintedConnection minted = mintOne();

            try (ExecutorService executor = Executors.newSingleThreadExecutor()) {
                Future<TokenAnswer> hung = executor.submit(() -> refresh(minted.refreshToken()));
                assertThat(hangIsHeld.await(10, TimeUnit.SECONDS)).isTrue();
                assertThat(report(minted).inFlight()).isEqualTo(1);

                TokenGrant retried = refreshed(minted.refreshToken());
                releaseHang.countDown();

                assertThat(hung.get(10, TimeUnit.SECONDS)).isInstanceOf(FaultAnswer.class);
                assertThat(report(minted).currentRefreshTokenSha256()).isEqualTo(sha256(retried.refreshToken()));
            }
            assertThat(report(minted).overlappingRefreshes()).isEqualTo(1);
            assertThat(report(minted).refreshes()).isEqualTo(1);
            assertThat(report(minted).invalidGrants()).isZero();
            assertThat(report(minted).inFlight()).isZero();
        }

        @Test
        void aHoldOfARequestWithAnUnknownTokenCountsForNoConnection() {
            MintedConnection minted = mintOne();
            AtomicBoolean held = new AtomicBoolean();

            authority.holding(new TokenRequest(Optional.of(CLIENT), "refresh_token", "sbx_rt_unknown", false),
                    () -> held.set(report(minted).inFlight() == 0));

            assertThat(held).isTrue();
        }

        @Test
        void resetForgetsFaultCountsAndStatuses() {
            scripted(NO_PAUSE, inject(FaultKind.ERROR, 500));
            refresh(mintOne().refreshToken());

            reset.reset();

            assertThat(counters.stats().faultsInjected()).isEqualTo(FaultCounts.NONE);
            assertThat(counters.stats().requestsByStatus()).isEmpty();
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
