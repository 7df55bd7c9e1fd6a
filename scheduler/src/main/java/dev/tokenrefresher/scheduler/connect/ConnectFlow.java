package dev.tokenrefresher.scheduler.connect;

import dev.tokenrefresher.common.crypto.CipherBinding;
import dev.tokenrefresher.common.crypto.TokenCipher;
import dev.tokenrefresher.common.provider.ProviderRegistry;
import dev.tokenrefresher.common.provider.ProviderSettings;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * The browser's side of a connect session: opening the link sends the user to the provider's authorization endpoint
 * with a fresh state (and PKCE challenge); the provider's callback is handled by {@link ConnectCallback}. A link is
 * opened once: a second opening is sent back to the return URL with {@code error=link_used}.
 */
@Service
class ConnectFlow {

    private static final Logger log = LoggerFactory.getLogger(ConnectFlow.class);
    static final String VERIFIER_COLUMN = "code_verifier";

    private final ConnectSessions sessions;
    private final ProviderRegistry providers;
    private final ConnectProperties properties;
    private final TokenCipher cipher;
    private final Secrets secrets;
    private final ConnectOutcomes outcomes;
    private final Clock clock;

    ConnectFlow(ConnectSessions sessions, ProviderRegistry providers, ConnectProperties properties, TokenCipher cipher,
            Secrets secrets, ConnectOutcomes outcomes, Clock clock) {
        this.sessions = sessions;
        this.providers = providers;
        this.properties = properties;
        this.cipher = cipher;
        this.secrets = secrets;
        this.outcomes = outcomes;
        this.clock = clock;
    }

    BrowserAnswer open(String linkSecret) {
        Optional<ConnectSession> found = linkSecret == null || linkSecret.isBlank()
                ? Optional.empty()
                : sessions.findByLink(Secrets.hash(linkSecret));
        if (found.isEmpty()) {
            return new BrowserAnswer.Page(404, "Unknown link",
                    "This connect link is not known. Links are valid once, for a few minutes: ask the app for a new "
                            + "one.");
        }
        ConnectSession session = found.get();
        Instant now = clock.instant();
        if (session.status() != ConnectSession.Status.CREATED) {
            log.info("connect session={} link opened again (status {}): refused", session.id(), session.status());
            return outcomes.refused(session, "link_used", "this connect link was opened before; links are single-use");
        }
        if (session.expiredAt(now)) {
            return outcomes.failed(session, "session_expired", "the connect link expired at " + session.expiresAt(),
                    now);
        }
        Optional<ProviderSettings> provider = providers.find(session.provider()).filter(p -> p.authorization()
                .configured());
        if (provider.isEmpty()) {
            return outcomes.failed(session, "provider_not_configured", "provider " + session.provider()
                    + " takes no connect sessions now", now);
        }
        String state = secrets.next();
        String verifier = provider.get().authorization().pkce() ? secrets.next() : null;
        byte[] sealedVerifier = verifier == null ? null : cipher.encrypt(verifier, verifierBinding(session));
        if (!sessions.open(session.id(), Secrets.hash(state), sealedVerifier, now)) {
            // another browser opened it a moment ago, or it expired meanwhile
            return outcomes.refused(session, "link_used", "this connect link was opened before; links are "
                    + "single-use");
        }
        log.info("connect session={} opened: the user goes to provider={} pkce={}", session.id(), session.provider(),
                verifier != null);
        return new BrowserAnswer.Redirect(AuthorizationRequest.uri(provider.get(), redirectUri(provider.get()),
                session.scopes(), state, verifier == null ? null : Pkce.challenge(verifier)));
    }

    URI redirectUri(ProviderSettings provider) {
        URI configured = provider.authorization().redirectUri();
        return configured != null ? configured : properties.defaultRedirectUri();
    }

    static CipherBinding verifierBinding(ConnectSession session) {
        return new CipherBinding("connect_session", session.id(), VERIFIER_COLUMN);
    }
}
