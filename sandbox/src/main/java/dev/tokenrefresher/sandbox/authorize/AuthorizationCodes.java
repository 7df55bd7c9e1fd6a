package dev.tokenrefresher.sandbox.authorize;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Component;

/**
 * The authorization-code flow's state, in memory: validated requests waiting on their consent page, and the codes
 * issued for them. Both are single-use and live {@code sandbox.authorization-code-lifetime} by the sandbox's
 * {@link Clock}. A used code is remembered for {@link #USED_CODE_MEMORY} after it expires, so a second use is
 * recognised (and revokes what the first one got) rather than answered as unknown.
 */
@Component
public class AuthorizationCodes {

    /** Makes a leaked code easy to grep for, like the sandbox's tokens. */
    static final String CODE_PREFIX = "sbx_code_";
    static final Duration USED_CODE_MEMORY = Duration.ofHours(1);
    private static final int RANDOM_BYTES = 32;

    private final Clock clock;
    private final Duration lifetime;
    private final SecureRandom random = new SecureRandom();
    private final Base64.Encoder encoder = Base64.getUrlEncoder().withoutPadding();

    private final Map<String, Pending> pendingRequests = new ConcurrentHashMap<>();
    private final Map<String, IssuedCode> codes = new ConcurrentHashMap<>();

    private final AtomicLong approved = new AtomicLong();
    private final AtomicLong denied = new AtomicLong();
    private final AtomicLong exchanged = new AtomicLong();
    private final AtomicLong reused = new AtomicLong();
    private final AtomicLong expired = new AtomicLong();
    private final AtomicLong pkceFailures = new AtomicLong();

    public AuthorizationCodes(Clock clock, AuthorizeProperties properties) {
        this.clock = clock;
        this.lifetime = properties.authorizationCodeLifetime();
    }

    private record Pending(AuthorizationRequest request, Instant expiresAt) {
    }

    private static final class IssuedCode {
        private final AuthorizationRequest request;
        private final String realmId;
        private final Instant expiresAt;
        private final AtomicBoolean presented = new AtomicBoolean();
        private volatile boolean tokensIssued;

        IssuedCode(AuthorizationRequest request, String realmId, Instant expiresAt) {
            this.request = request;
            this.realmId = realmId;
            this.expiresAt = expiresAt;
        }
    }

    /** Holds a validated request for its consent page; the id goes into the page's form. */
    String hold(AuthorizationRequest request) {
        Instant now = clock.instant();
        forgetExpired(now);
        String id = randomText();
        pendingRequests.put(id, new Pending(request, now.plus(lifetime)));
        return id;
    }

    /** The held request with that id, once: empty when unknown, decided already or expired. */
    Optional<AuthorizationRequest> take(String requestId) {
        Pending pending = requestId == null ? null : pendingRequests.remove(requestId);
        if (pending == null || !clock.instant().isBefore(pending.expiresAt())) {
            return Optional.empty();
        }
        return Optional.of(pending.request());
    }

    /** Issues the code of an approved request, for the connection of {@code realmId}. */
    String approve(AuthorizationRequest request, String realmId) {
        String code = CODE_PREFIX + randomText();
        codes.put(code, new IssuedCode(request, realmId, clock.instant().plus(lifetime)));
        approved.incrementAndGet();
        return code;
    }

    void deny() {
        denied.incrementAndGet();
    }

    /** Whether a code not yet exchanged, or exchanged moments ago, stands for this realm. */
    boolean reserves(String realmId) {
        return codes.values().stream().anyMatch(code -> code.realmId.equals(realmId));
    }

    /**
     * Checks a code presented at the token endpoint by an authenticated client (RFC 6749 section 4.1.3, RFC 7636
     * section 4.6). Every presentation uses the code up, a refused one too: a client cannot try verifiers.
     */
    public CodeRedemption redeem(String code, String clientId, String redirectUri, String codeVerifier) {
        IssuedCode issued = code == null ? null : codes.get(code);
        if (issued == null) {
            return refused(CodeRefusal.UNKNOWN);
        }
        if (!issued.presented.compareAndSet(false, true)) {
            reused.incrementAndGet();
            return new CodeRedemption.Refused(CodeRefusal.REUSED, issued.tokensIssued ? issued.realmId : null);
        }
        if (!clock.instant().isBefore(issued.expiresAt)) {
            expired.incrementAndGet();
            return refused(CodeRefusal.EXPIRED);
        }
        AuthorizationRequest request = issued.request;
        if (!equal(request.clientId(), clientId)) {
            return refused(CodeRefusal.CLIENT_MISMATCH);
        }
        if (!Objects.equals(request.redirectUri(), redirectUri)) {
            return refused(CodeRefusal.REDIRECT_URI_MISMATCH);
        }
        CodeRefusal pkce = pkceRefusal(request.codeChallenge(), codeVerifier);
        if (pkce != null) {
            return refused(pkce);
        }
        issued.tokensIssued = true;
        exchanged.incrementAndGet();
        return new CodeRedemption.Redeemed(issued.realmId);
    }

    private static CodeRefusal pkceRefusal(String challenge, String verifier) {
        if (challenge == null) {
            return verifier == null ? null : CodeRefusal.VERIFIER_UNEXPECTED;
        }
        if (verifier == null) {
            return CodeRefusal.VERIFIER_MISSING;
        }
        return Pkce.verifies(verifier, challenge) ? null : CodeRefusal.VERIFIER_MISMATCH;
    }

    private CodeRedemption refused(CodeRefusal reason) {
        if (reason.isPkceFailure()) {
            pkceFailures.incrementAndGet();
        }
        return new CodeRedemption.Refused(reason, null);
    }

    public AuthorizationCounts counts() {
        return new AuthorizationCounts(approved.get(), denied.get(), exchanged.get(), reused.get(), expired.get(),
                pkceFailures.get());
    }

    /** Forgets every pending request, code and counter, as {@code POST /sandbox/reset} does for connections. */
    public void reset() {
        pendingRequests.clear();
        codes.clear();
        for (AtomicLong counter : new AtomicLong[]{approved, denied, exchanged, reused, expired, pkceFailures}) {
            counter.set(0);
        }
    }

    private void forgetExpired(Instant now) {
        pendingRequests.values().removeIf(pending -> !now.isBefore(pending.expiresAt()));
        codes.values().removeIf(code -> !now.isBefore(code.expiresAt.plus(USED_CODE_MEMORY)));
    }

    private static boolean equal(String expected, String actual) {
        return actual != null && MessageDigest.isEqual(expected.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                actual.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private String randomText() {
        byte[] bytes = new byte[RANDOM_BYTES];
        random.nextBytes(bytes);
        return encoder.encodeToString(bytes);
    }
}
