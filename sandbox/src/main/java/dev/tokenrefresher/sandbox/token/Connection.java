package dev.tokenrefresher.sandbox.token;

import dev.tokenrefresher.sandbox.faults.TailDecision;
import dev.tokenrefresher.sandbox.faults.TailFaults;
import dev.tokenrefresher.sandbox.faults.TailGroup;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * One authorised QuickBooks company (realm) and its refresh-token chain.
 *
 * <p>
 * With a reuse grace (Xero keeps the previous refresh token usable for 30 minutes), the refresh token a rotation
 * replaced is accepted again until the grace after that rotation ends: it gets a fresh pair, and the successor it had
 * been given, never used, is dropped (refused as rotated away from then on). The window is not extended by such a
 * reuse. Without a grace (the default), a replaced token is refused at once. The chain state is guarded by a lock per
 * connection, so concurrent refreshes of one connection decide one after the other (the second sees the first one's
 * rotation) while different connections never wait for each other. Counters are atomic so reports need no lock.
 */
final class Connection {

    private final long number;
    private final String realmId;
    private final ReentrantLock lock = new ReentrantLock();

    // guarded by lock
    /** The chain's hard cap, fixed at authorisation; only the control API moves it. */
    private Instant hardExpiresAt;
    private String refreshToken;
    private int usesOfRefreshToken;
    private Instant refreshTokenExpiresAt;
    private Instant accessTokenExpiresAt;
    private boolean revoked;
    /** The connection's own reuse grace; null follows the sandbox's run-time default. */
    private Duration reuseGrace;
    /** The refresh token the last rotation replaced, while its reuse grace lasts; else null. */
    private String previousRefreshToken;
    private Instant previousUsableUntil;
    /** How long this connection's granted answers are held after the rotation; null follows the run-time default. */
    private volatile Duration answerDelay;

    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong refreshes = new AtomicLong();
    private final AtomicLong overlappingRefreshes = new AtomicLong();
    private final AtomicLong invalidGrants = new AtomicLong();
    private final AtomicLong hardExpiredGrants = new AtomicLong();
    private final AtomicLong refreshesAfterAccessExpiry = new AtomicLong();
    private final AtomicLong graceReuses = new AtomicLong();
    private final AtomicLong calls = new AtomicLong();
    private final Object tailCallsLock = new Object();
    /** Which setting of the tail faults {@code tailCalls} counts from; guarded by tailCallsLock. */
    private long tailSetting = -1;
    private long tailCalls;
    private final AtomicLong hungCalls = new AtomicLong();
    private final AtomicLong slowCalls = new AtomicLong();

    /**
     * A connection as the authorization-code exchange leaves it: a first refresh token and a first access token, both
     * issued {@code now}.
     *
     * @param number
     *            orders connections by creation for listings
     */
    Connection(long number, String realmId, String refreshToken, Instant now, RefreshRules rules,
            Duration refreshTokenHardLifetime, Duration reuseGrace) {
        this.number = number;
        this.reuseGrace = reuseGrace;
        this.realmId = realmId;
        this.hardExpiresAt = now.plus(refreshTokenHardLifetime);
        this.refreshToken = refreshToken;
        this.refreshTokenExpiresAt = rollingExpiry(now, rules);
        this.accessTokenExpiresAt = now.plus(rules.accessTokenLifetime());
    }

    long number() {
        return number;
    }

    String realmId() {
        return realmId;
    }

    Instant refreshTokenExpiresAt() {
        lock.lock();
        try {
            return refreshTokenExpiresAt;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Counts a token request for this connection as it arrives and lets the tail faults decide on it. Whatever they
     * decide, the call is in flight until {@link #requestFinished()}: a hung call is held at the front door and never
     * reaches the token logic, but the provider could still act on it, so a call arriving meanwhile is an overlap.
     */
    TailDecision callArrived(TailFaults tail) {
        calls.incrementAndGet();
        TailDecision decision = tail.decide(number, this::callSince);
        switch (decision) {
            case TailDecision.Hang hang -> hungCalls.incrementAndGet();
            case TailDecision.Slow slow -> slowCalls.incrementAndGet();
            case TailDecision.Unaffected unaffected -> {
                // counted in calls only
            }
        }
        requestArrived();
        return decision;
    }

    /** This call's number since the tail faults' {@code setting}th setting: 1 for the first call after it. */
    private long callSince(long setting) {
        synchronized (tailCallsLock) {
            if (setting != tailSetting) {
                tailSetting = setting;
                tailCalls = 0;
            }
            return ++tailCalls;
        }
    }

    /** Marks a token request for this connection as in flight; one arriving while another still is overlaps. */
    void requestArrived() {
        if (inFlight.getAndIncrement() > 0) {
            overlappingRefreshes.incrementAndGet();
        }
    }

    void requestFinished() {
        inFlight.decrementAndGet();
    }

    /**
     * Decides a refresh with {@code presentedToken}, a token that was issued to this connection at some point.
     *
     * @param newRefreshToken
     *            makes and registers the next refresh token; called only when rotating, under this connection's lock
     */
    RefreshOutcome refresh(String presentedToken, Instant now, RefreshRules rules, Supplier<String> newRefreshToken) {
        lock.lock();
        try {
            if (withinReuseGrace(presentedToken, now)) {
                return reuseWithinGrace(now, rules, newRefreshToken);
            }
            InvalidGrantReason refusal = refusalOf(presentedToken, now);
            if (refusal != null) {
                invalidGrants.incrementAndGet();
                if (refusal == InvalidGrantReason.HARD_EXPIRED) {
                    hardExpiredGrants.incrementAndGet();
                }
                return new RefreshOutcome.Refused(refusal);
            }
            if (!now.isBefore(accessTokenExpiresAt)) {
                refreshesAfterAccessExpiry.incrementAndGet();
            }
            usesOfRefreshToken++;
            boolean rotate = rules.rotatesAfter(usesOfRefreshToken);
            if (rotate) {
                Duration grace = reuseGrace(rules);
                previousRefreshToken = grace.isPositive() ? refreshToken : null;
                previousUsableUntil = grace.isPositive() ? now.plus(grace) : null;
                refreshToken = newRefreshToken.get();
                usesOfRefreshToken = 0;
            }
            accessTokenExpiresAt = now.plus(rules.accessTokenLifetime());
            refreshTokenExpiresAt = rollingExpiry(now, rules);
            refreshes.incrementAndGet();
            return new RefreshOutcome.Refreshed(refreshToken, rotate, refreshTokenExpiresAt, hardExpiresAt);
        } finally {
            lock.unlock();
        }
    }

    private boolean withinReuseGrace(String presentedToken, Instant now) {
        return !revoked && previousRefreshToken != null && previousRefreshToken.equals(presentedToken) && now.isBefore(
                previousUsableUntil) && now.isBefore(refreshTokenExpiresAt);
    }

    /** The replaced token again, within its grace: a fresh pair; the unused successor is dropped. */
    private RefreshOutcome reuseWithinGrace(Instant now, RefreshRules rules, Supplier<String> newRefreshToken) {
        if (!now.isBefore(accessTokenExpiresAt)) {
            refreshesAfterAccessExpiry.incrementAndGet();
        }
        refreshToken = newRefreshToken.get();
        usesOfRefreshToken = 0;
        accessTokenExpiresAt = now.plus(rules.accessTokenLifetime());
        refreshTokenExpiresAt = rollingExpiry(now, rules);
        refreshes.incrementAndGet();
        graceReuses.incrementAndGet();
        return new RefreshOutcome.Refreshed(refreshToken, true, refreshTokenExpiresAt, hardExpiresAt);
    }

    private Duration reuseGrace(RefreshRules rules) {
        return reuseGrace != null ? reuseGrace : rules.defaultReuseGrace();
    }

    /** The connection's own answer delay, or {@code defaultDelay} (the run-time setting) when it has none. */
    Duration answerDelay(Duration defaultDelay) {
        Duration own = answerDelay;
        return own != null ? own : defaultDelay;
    }

    /** Sets the connection's own answer delay; null makes it follow the run-time default again. */
    void changeAnswerDelay(Duration delay) {
        answerDelay = delay;
    }

    /** Sets the connection's own reuse grace; null makes it follow the run-time default again. */
    void changeReuseGrace(Duration grace) {
        lock.lock();
        try {
            reuseGrace = grace;
        } finally {
            lock.unlock();
        }
    }

    private InvalidGrantReason refusalOf(String presentedToken, Instant now) {
        if (revoked) {
            return InvalidGrantReason.REVOKED;
        }
        if (!refreshToken.equals(presentedToken)) {
            return InvalidGrantReason.ROTATED_AWAY;
        }
        if (!now.isBefore(hardExpiresAt)) {
            return InvalidGrantReason.HARD_EXPIRED;
        }
        if (!now.isBefore(refreshTokenExpiresAt)) {
            return InvalidGrantReason.EXPIRED;
        }
        return null;
    }

    /** Each use extends the refresh token's life, but never past the chain's hard cap. */
    private Instant rollingExpiry(Instant now, RefreshRules rules) {
        Instant rolling = now.plus(rules.refreshTokenLifetime());
        return rolling.isBefore(hardExpiresAt) ? rolling : hardExpiresAt;
    }

    Instant hardExpiresAt() {
        lock.lock();
        try {
            return hardExpiresAt;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Moves the chain's hard cap, for tests that need it near. The refresh token's rolling expiry is cut to it if it
     * was later; a later cap does not extend it before the next refresh.
     */
    void changeHardExpiresAt(Instant cap) {
        lock.lock();
        try {
            hardExpiresAt = cap;
            if (refreshTokenExpiresAt.isAfter(cap)) {
                refreshTokenExpiresAt = cap;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Whether {@code token} is the refresh token in force now (not one rotated away). */
    boolean isCurrent(String token) {
        lock.lock();
        try {
            return refreshToken.equals(token);
        } finally {
            lock.unlock();
        }
    }

    void revoke() {
        lock.lock();
        try {
            revoked = true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * @param defaultReuseGrace the run-time default, reported when the connection has no grace of its own
     * @param defaultAnswerDelay the run-time default, reported when the connection has no answer delay of its own
     * @param tailGroup the tail faults' group the connection is in now
     */
    ConnectionReport report(Duration defaultReuseGrace, Duration defaultAnswerDelay, TailGroup tailGroup) {
        lock.lock();
        try {
            return new ConnectionReport(realmId, refreshes.get(), overlappingRefreshes.get(), invalidGrants.get(),
                    refreshesAfterAccessExpiry.get(), hardExpiredGrants.get(), revoked, accessTokenExpiresAt,
                    refreshTokenExpiresAt, hardExpiresAt, sha256Hex(refreshToken),
                    (reuseGrace != null ? reuseGrace : defaultReuseGrace).toSeconds(), graceReuses.get(),
                    answerDelay(defaultAnswerDelay).toMillis(), inFlight.get(), calls.get(), hungCalls.get(),
                    slowCalls.get(), tailGroup);
        } finally {
            lock.unlock();
        }
    }

    long refreshes() {
        return refreshes.get();
    }

    long overlappingRefreshes() {
        return overlappingRefreshes.get();
    }

    long calls() {
        return calls.get();
    }

    long hungCalls() {
        return hungCalls.get();
    }

    long slowCalls() {
        return slowCalls.get();
    }

    long invalidGrants() {
        return invalidGrants.get();
    }

    long hardExpiredGrants() {
        return hardExpiredGrants.get();
    }

    long refreshesAfterAccessExpiry() {
        return refreshesAfterAccessExpiry.get();
    }

    private static String sha256Hex(String value) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException impossible) {
            // every Java platform must provide SHA-256
            throw new IllegalStateException(impossible);
        }
    }
}
