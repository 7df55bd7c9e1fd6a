package dev.tokenrefresher.scheduler.connect;

import dev.tokenrefresher.common.connection.ConnectionStore;
import dev.tokenrefresher.common.connection.Registered;
import dev.tokenrefresher.common.crypto.TokenCipher;
import dev.tokenrefresher.common.crypto.TokenDecryptionException;
import dev.tokenrefresher.common.provider.ProviderRegistry;
import dev.tokenrefresher.common.provider.ProviderSettings;
import dev.tokenrefresher.common.provider.RefreshResult;
import dev.tokenrefresher.common.provider.TokenEndpointClient;
import dev.tokenrefresher.common.provider.TokenGrant;
import dev.tokenrefresher.scheduler.connection.ConnectionRegistration;
import dev.tokenrefresher.scheduler.connection.InvalidFieldException;
import dev.tokenrefresher.scheduler.connection.RegisterConnectionRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Service;

/**
 * The provider's callback (RFC 6749 section 4.1.2): finds the session by its state, which is used once, exchanges the
 * code (with the PKCE verifier), registers or reconnects the connection through the same path as
 * {@code POST /api/connections}, and sends the user back to the return URL. Whatever fails, nothing is stored and the
 * user is told why, never with a code or a token.
 */
@Service
class ConnectCallback {

    private static final Logger log = LoggerFactory.getLogger(ConnectCallback.class);
    /** The provider's own error codes that are passed on as they are; any other becomes {@code provider_error}. */
    private static final Set<String> PASSED_ON_ERRORS = Set.of("access_denied",
            "invalid_scope", "unauthorized_client", "temporarily_unavailable", "server_error");
    private static final int MAX_REALM_ID = 200;

    private final ConnectSessions sessions;
    private final ConnectFlow flow;
    private final ConnectOutcomes outcomes;
    private final ProviderRegistry providers;
    private final TokenEndpointClient tokenEndpoint;
    private final ConnectionRegistration registration;
    private final ConnectionStore connections;
    private final TokenCipher cipher;
    private final Clock clock;

    ConnectCallback(ConnectSessions sessions, ConnectFlow flow, ConnectOutcomes outcomes, ProviderRegistry providers,
            TokenEndpointClient tokenEndpoint, ConnectionRegistration registration, ConnectionStore connections,
            TokenCipher cipher, Clock clock) {
        this.sessions = sessions;
        this.flow = flow;
        this.outcomes = outcomes;
        this.providers = providers;
        this.tokenEndpoint = tokenEndpoint;
        this.registration = registration;
        this.connections = connections;
        this.cipher = cipher;
        this.clock = clock;
    }

    /** The callback's query: {@code code} and {@code state}, or {@code error}; QuickBooks adds {@code realmId}. */
    record Callback(String state, String code, String error, String realmId) {

        @Override
        public String toString() {
            return "Callback[code=" + (code != null ? "given" : "absent") + ", error=" + error + "]";
        }
    }

    BrowserAnswer handle(Callback callback) {
        if (callback.state() == null || callback.state().isBlank()) {
            return new BrowserAnswer.Page(400, "No state",
                    "The provider's answer carries no state, so it cannot be matched to a connect session. Start "
                            + "again from the app.");
        }
        Optional<ConnectSession> found = sessions.findByState(Secrets.hash(callback.state()));
        if (found.isEmpty()) {
            return new BrowserAnswer.Page(400, "Unknown state",
                    "This answer does not belong to any connect session (its state is unknown, or the session was "
                            + "purged). Start again from the app.");
        }
        ConnectSession session = found.get();
        Instant now = clock.instant();
        if (session.status() != ConnectSession.Status.OPENED) {
            log.info("connect session={} callback came again (status {}): refused", session.id(), session.status());
            return outcomes.refused(session, "state_reused", "this authorization answer was used before");
        }
        if (session.expiredAt(now)) {
            return outcomes.failed(session, "session_expired", "the connect session expired at "
                    + session.expiresAt(), now);
        }
        if (callback.error() != null) {
            String error = PASSED_ON_ERRORS.contains(callback.error()) ? callback.error() : "provider_error";
            return outcomes.failed(session, error, error.equals("access_denied")
                    ? "the user did not allow the connection"
                    : "the provider answered with an error", now);
        }
        if (callback.code() == null || callback.code().isBlank()) {
            return outcomes.failed(session, "invalid_callback", "the provider's answer has neither code nor error",
                    now);
        }
        if (callback.realmId() != null && callback.realmId().length() > MAX_REALM_ID) {
            return outcomes.failed(session, "invalid_callback", "the realmId is longer than " + MAX_REALM_ID
                    + " characters", now);
        }
        if (!sessions.beginExchange(session.id(), now)) {
            return outcomes.refused(session, "state_reused", "this authorization answer was used before");
        }
        Optional<ProviderSettings> provider = providers.find(session.provider());
        if (provider.isEmpty()) {
            return outcomes.failed(session, "provider_not_configured", "provider " + session.provider()
                    + " is no longer configured", now);
        }
        return exchange(session, provider.get(), callback, now);
    }

    private BrowserAnswer exchange(ConnectSession session, ProviderSettings provider, Callback callback,
            Instant now) {
        String verifier;
        try {
            verifier = session.codeVerifier() == null
                    ? null
                    : cipher.decrypt(session.codeVerifier(), ConnectFlow.verifierBinding(session));
        } catch (TokenDecryptionException e) {
            // its key was removed within the session's ten minutes: the code cannot be exchanged without it
            return outcomes.failed(session, "exchange_failed", "the session's PKCE verifier cannot be decrypted "
                    + "(its encryption key is no longer configured); start again", now);
        }
        RefreshResult result = tokenEndpoint.exchangeCode(provider, callback.code(), flow.redirectUri(provider),
                verifier);
        if (result instanceof RefreshResult.Failed failed) {
            return outcomes.failed(session, "exchange_failed", "the provider did not exchange the code ("
                    + failed.errorCode() + ")", clock.instant());
        }
        TokenGrant grant = ((RefreshResult.Granted) result).grant();
        if (grant.accessToken() == null || grant.refreshToken() == null) {
            return outcomes.failed(session, "exchange_failed", "the provider's answer had no usable "
                    + (grant.accessToken() == null ? "access_token" : "refresh_token"), clock.instant());
        }
        if (session.reconnect() && !sameRealm(session, callback.realmId())) {
            // the user picked another company: its tokens must not replace this connection's, and are given back
            tokenEndpoint.revoke(provider, grant.refreshToken());
            return outcomes.failed(session, "realm_mismatch", "the account authorized is not the connection's; "
                    + "nothing was changed", clock.instant());
        }
        Registered registered;
        try {
            registered = registration.register(new RegisterConnectionRequest(session.tenantId(), provider.name(),
                    callback.realmId(), null, grant.accessToken(), grant.refreshToken(), seconds(grant
                            .accessTokenLifetime()),
                    seconds(grant.refreshTokenLifetime()), seconds(grant.refreshTokenHardLifetime()), now));
        } catch (InvalidFieldException e) {
            return outcomes.failed(session, "exchange_failed", "the provider's answer cannot be registered: "
                    + e.getMessage(), clock.instant());
        } catch (DataAccessException e) {
            log.warn("connect session={}: the connection could not be stored ({}); the user must start again",
                    session.id(), e.getClass().getSimpleName());
            return outcomes.failed(session, "storage_failed", "the connection could not be stored; try again",
                    clock.instant());
        }
        sessions.complete(session.id(), registered.id(), clock.instant());
        log.info("connect session={} completed: connection={} provider={} created={} reconnect={}", session.id(),
                registered.id(), provider.name(), registered.created(), session.reconnect());
        return outcomes.completed(session, registered.id().toString(), "ACTIVE");
    }

    /** A reconnect must authorize the same provider account, where both sides name one. */
    private boolean sameRealm(ConnectSession session, String realmId) {
        if (realmId == null || session.connectionId() == null) {
            return true;
        }
        try {
            return connections.tokens(session.connectionId()).map(stored -> stored.realmId() == null || Objects
                    .equals(stored.realmId(), realmId)).orElse(true);
        } catch (TokenDecryptionException e) {
            // an undecryptable connection is exactly what a reconnect mends; its old realm cannot be compared
            return true;
        }
    }

    private static Long seconds(Duration duration) {
        return duration == null ? null : Math.max(1, duration.toSeconds());
    }
}
