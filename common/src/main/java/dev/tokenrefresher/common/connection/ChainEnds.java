package dev.tokenrefresher.common.connection;

import java.util.List;

/**
 * The dead-letter reasons that come with a connection marked REAUTH_REQUIRED: the chain ended. Such a letter is
 * resolved, not pending, once the connection is ACTIVE again (a late store of tokens the provider had rotated for us
 * revives it, see {@link RefreshOutcomes#storeRefreshed}).
 */
public final class ChainEnds {

    /** The provider refused the refresh token. */
    public static final String INVALID_GRANT = "invalid_grant";
    /** The same refusal after an earlier request with the token lost its answer. */
    public static final String ANSWER_LOST_AFTER_ROTATION = "answer_lost_after_rotation";
    /** The refresh token expired before it could be used. */
    public static final String REFRESH_TOKEN_EXPIRED = "refresh_token_expired";
    /** The refresh token reached the provider's absolute cap (Intuit's 5 years), which no refresh extends. */
    public static final String HARD_EXPIRED = "hard_expired";

    /** Every reason a dead letter gives for a chain that ended. */
    public static final List<String> REASONS = List.of(INVALID_GRANT, ANSWER_LOST_AFTER_ROTATION,
            REFRESH_TOKEN_EXPIRED, HARD_EXPIRED);

    private ChainEnds() {
    }
}
