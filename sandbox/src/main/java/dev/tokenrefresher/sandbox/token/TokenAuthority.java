package dev.tokenrefresher.sandbox.token;

import dev.tokenrefresher.sandbox.faults.AfterRotationFaults;
import dev.tokenrefresher.sandbox.faults.FaultDecider;
import dev.tokenrefresher.sandbox.faults.FaultDecision;
import dev.tokenrefresher.sandbox.faults.TailDecision;
import dev.tokenrefresher.sandbox.faults.TailFaults;
import dev.tokenrefresher.sandbox.settings.RuntimeSettings;
import dev.tokenrefresher.sandbox.settings.SandboxProperties;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The sandbox authorization server's token logic: answers every token endpoint request and every revocation. The
 * connections and the tokens they were issued live in the {@link ConnectionRegistry}, the counters that belong to no
 * one connection in the {@link SandboxCounters}, all in memory. Time comes from the injected {@link Clock} only, so
 * expiry is testable without waiting.
 *
 * <p>
 * Each request first asks the {@link FaultDecider} whether to answer with an injected fault. A faulted request never
 * reaches the token logic: no token rotates, no expiry moves and no refresh or invalid grant is counted. It does count
 * as a request, in flight while it waits, and by its status; and while it is held (its latency or hang, a body stalled
 * after its headers) it is in flight for the connection whose refresh token it carries, see {@link #holding}.
 *
 * <p>
 * The {@link TailFaults} are asked once the connection is found: a share of the connections hangs or answers slowly. A
 * hung call is held and answered like a random hang, never reaching the token logic but in flight for its connection
 * while held; a slow one is the token logic taking its time, in flight for its connection all along.
 *
 * <p>
 * A granted refresh may still lose its answer: the {@link AfterRotationFaults} are asked after the rotation, so the
 * presented refresh token is spent and the new one never reaches the client.
 */
@Component
class TokenAuthority {

    private static final Logger log = LoggerFactory.getLogger(TokenAuthority.class);

    private final Clock clock;
    private final RuntimeSettings settings;
    private final FaultDecider faults;
    private final AfterRotationFaults afterRotation;
    private final TailFaults tail;
    private final Pause pause;
    private final CodeExchange codeExchange;
    private final ConnectionRegistry connections;
    private final SandboxCounters counters;
    private final ClientCredentials registeredClient;
    private final Duration refreshTokenLifetime;
    private final SecureTokens tokens = new SecureTokens();

    TokenAuthority(Clock clock, SandboxProperties properties, RuntimeSettings settings, FaultDecider faults,
            AfterRotationFaults afterRotation, TailFaults tail, Pause pause, CodeExchange codeExchange,
            ConnectionRegistry connections, SandboxCounters counters) {
        this.clock = clock;
        this.codeExchange = codeExchange;
        this.tail = tail;
        this.settings = settings;
        this.faults = faults;
        this.afterRotation = afterRotation;
        this.pause = pause;
        this.connections = connections;
        this.counters = counters;
        this.registeredClient = new ClientCredentials(properties.clientId(), properties.clientSecret());
        this.refreshTokenLifetime = properties.refreshTokenLifetime();
    }

    /**
     * Answers one token endpoint request: with an injected fault, decided before anything else, or with the token
     * logic. Either way the decided delay is spent inside, while the request counts as in flight.
     */
    TokenAnswer answer(TokenRequest request) {
        counters.requestStarted();
        try {
            TokenAnswer answer = switch (faults.decide()) {
                case FaultDecision.Inject inject -> {
                    counters.faultInjected(inject.fault().kind());
                    log.debug("Injected fault {}, answering {} after {}", inject.fault().kind(),
                            inject.fault().status(), inject.delay());
                    holding(request, () -> pause.pause(inject.delay()));
                    yield new FaultAnswer(inject.fault());
                }
                case FaultDecision.Proceed proceed -> answerWithTokens(request, proceed.delay());
            };
            if (answer.status() != LostAnswer.NO_STATUS) {
                counters.answered(answer.status());
            }
            return answer;
        } finally {
            counters.requestFinished();
        }
    }

    /**
     * The latency is spent while the request counts as in flight for its connection, so a second request for that
     * connection meanwhile is an overlap.
     */
    private TokenAnswer answerWithTokens(TokenRequest request, Duration latency) {
        Connection connection = connectionOf(request);
        TailDecision tailed = connection == null ? TailDecision.UNAFFECTED : connection.callArrived(tail);
        try {
            if (tailed instanceof TailDecision.Hang hang) {
                return hangUp(hang);
            }
            Duration delay = tailed instanceof TailDecision.Slow slow ? slow.latency() : latency;
            pause.pause(delay);
            TokenAnswer answer = decide(request, connection);
            Duration answerDelay = connection == null
                    ? settings.answerDelay()
                    : connection.answerDelay(settings.answerDelay());
            if ((answer instanceof TokenGrant || answer instanceof LostAnswer) && answerDelay.isPositive()) {
                // rotated already: the client has not heard yet
                pause.pause(answerDelay);
            }
            return answer;
        } finally {
            if (connection != null) {
                connection.requestFinished();
            }
        }
    }

    /** Held at the front door: the chain is not touched (but the call is in flight
     * for its connection meanwhile), and the client has given up before the 504 comes. */
    private TokenAnswer hangUp(TailDecision.Hang hang) {
        counters.faultInjected(hang.fault().kind());
        pause.pause(hang.hold());
        return new FaultAnswer(hang.fault());
    }

    /**
     * Runs {@code hold} as in flight for the connection whose refresh token (current or rotated away) the request
     * carries. A request the provider holds without serving it (a fault's latency or hang, a body stalled after its
     * headers, an answer stalled after the rotation) is one it could still act on: another request for that connection
     * meanwhile is an overlap, as a client that retries while its first request is still running would cause. Nothing
     * rotates and no refresh is counted here.
     */
    void holding(TokenRequest request, Runnable hold) {
        Connection connection = connectionOf(request);
        if (connection != null) {
            connection.requestArrived();
        }
        try {
            hold.run();
        } finally {
            if (connection != null) {
                connection.requestFinished();
            }
        }
    }

    private Connection connectionOf(TokenRequest request) {
        return connections.byRefreshToken(request.refreshToken());
    }

    private TokenAnswer decide(TokenRequest request, Connection connection) {
        if (!request.client().map(registeredClient::matches).orElse(false)) {
            counters.invalidClientAnswer();
            return TokenRefusal.of(OAuthError.INVALID_CLIENT);
        }
        if (request.grantType() == null) {
            return new TokenRefusal(OAuthError.INVALID_REQUEST, "grant_type is missing");
        }
        if (TokenRequest.AUTHORIZATION_CODE_GRANT.equals(request.grantType())) {
            return codeExchange.exchange(request, request.client().orElseThrow());
        }
        if (!TokenRequest.REFRESH_TOKEN_GRANT.equals(request.grantType())) {
            return TokenRefusal.of(OAuthError.UNSUPPORTED_GRANT_TYPE);
        }
        if (request.refreshToken() == null || request.refreshToken().isBlank()) {
            return new TokenRefusal(OAuthError.INVALID_REQUEST, "refresh_token is missing");
        }
        if (connection == null) {
            counters.unknownTokenGrant();
            return TokenRefusal.invalidGrant(InvalidGrantReason.UNKNOWN);
        }
        return refresh(connection, request);
    }

    private TokenAnswer refresh(Connection connection, TokenRequest request) {
        Instant now = clock.instant();
        RefreshRules rules = RefreshRules.current(settings, refreshTokenLifetime);
        RefreshOutcome outcome = connection.refresh(request.refreshToken(), now, rules,
                () -> issueRefreshToken(connection));
        return switch (outcome) {
            case RefreshOutcome.Refused refused -> {
                log.debug("invalid_grant for realm {}: {}", connection.realmId(), refused.reason());
                yield TokenRefusal.invalidGrant(refused.reason());
            }
            case RefreshOutcome.Refreshed refreshed -> lostOrGranted(connection, grant(rules, now, request,
                    refreshed));
        };
    }

    /** The rotation happened: the answer is lost now if a fault after rotation is pending for this connection. */
    private TokenAnswer lostOrGranted(Connection connection, TokenGrant grant) {
        return afterRotation.take(connection.realmId()).<TokenAnswer>map(fault -> {
            counters.answerLostAfterRotation(fault.kind());
            log.debug("Refresh of realm {} granted, its answer lost: {}", connection.realmId(), fault.kind());
            return new LostAnswer(grant, fault);
        }).orElse(grant);
    }

    private TokenGrant grant(RefreshRules rules, Instant now, TokenRequest request,
            RefreshOutcome.Refreshed refreshed) {
        counters.refreshGranted();
        return new TokenGrant(TokenGrant.BEARER, tokens.accessToken(),
                rules.accessTokenLifetime().toSeconds(), refreshed.refreshToken(),
                secondsBetween(now, refreshed.refreshTokenExpiresAt()),
                request.includeHardExpiry() ? secondsBetween(now, refreshed.hardExpiresAt()) : null);
    }

    private String issueRefreshToken(Connection connection) {
        String refreshToken = tokens.refreshToken();
        connections.indexRefreshToken(refreshToken, connection);
        return refreshToken;
    }

    /** What a revocation request (RFC 7009) came to. */
    enum Revocation {
        REVOKED, UNKNOWN_TOKEN, INVALID_CLIENT
    }

    /**
     * Revokes the connection a refresh token belongs to, as the revocation endpoint asks. The token may be the current
     * one or an older one of the same chain: either way the whole chain ends, as at Intuit.
     */
    Revocation revokeByToken(Optional<ClientCredentials> client, String refreshToken) {
        if (!client.map(registeredClient::matches).orElse(false)) {
            counters.invalidClientAnswer();
            return Revocation.INVALID_CLIENT;
        }
        Connection connection = connections.byRefreshToken(refreshToken);
        if (connection == null || !settings.spentTokenRevokes() && !connection.isCurrent(refreshToken)) {
            // a token rotated away is no longer valid at a strict provider: revoking it has no effect (RFC 7009
            // answers 200 all the same), and the token in force lives on
            return Revocation.UNKNOWN_TOKEN;
        }
        connection.revoke();
        log.info("Revoked the connection of realm {} at the client's request", connection.realmId());
        return Revocation.REVOKED;
    }

    private static long secondsBetween(Instant from, Instant to) {
        return Duration.between(from, to).toSeconds();
    }
}
