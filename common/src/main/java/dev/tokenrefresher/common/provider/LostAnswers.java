package dev.tokenrefresher.common.provider;

/**
 * Issue 18, point 7: an answer lost after the provider rotated. A token request whose answer may have been lost
 * ({@link RefreshResult.Failed#answerMayBeLost()}) may still have rotated the refresh token. A provider that keeps the
 * replaced token valid for a while (Xero) then answers the next attempt with the stored token normally; a strictly
 * rotating one (Salesforce, Keycloak with revocation) refuses it with {@code invalid_grant}. That refusal is not the
 * tenant's doing, and it is reported as what it is: {@value #REASON}.
 */
public final class LostAnswers {

    /** The reason (dead letter, event, metric, attempt error code) a chain ended after its answer was lost. */
    public static final String REASON = "answer_lost_after_rotation";

    private static final String INVALID_GRANT = "invalid_grant";

    private LostAnswers() {
    }

    /**
     * Why a refusal ends the chain.
     *
     * @param answerLostBefore whether an earlier request with the same refresh token lost its answer
     * @return {@value #REASON} for an {@code invalid_grant} after a lost answer; else the refusal's error code
     */
    public static String chainEndReason(RefreshResult.Failed refusal, boolean answerLostBefore) {
        return answerLostBefore && INVALID_GRANT.equals(refusal.errorCode()) ? REASON : refusal.errorCode();
    }

    /** What a dead letter says about such an end; never a token. */
    public static String detail(RefreshResult.Failed refusal) {
        return "the provider refused the refresh token (" + refusal.errorCode() + ") after an earlier request with "
                + "it lost its answer: the provider had rotated it, and the new one never arrived";
    }
}
