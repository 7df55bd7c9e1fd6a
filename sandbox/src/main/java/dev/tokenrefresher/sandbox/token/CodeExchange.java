package dev.tokenrefresher.sandbox.token;

import dev.tokenrefresher.sandbox.authorize.AuthorizationCodes;
import dev.tokenrefresher.sandbox.authorize.CodeRedemption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The token endpoint's authorization-code grant (RFC 6749 section 4.1.3, RFC 7636 section 4.6), for a client already
 * authenticated: the code is checked by {@link AuthorizationCodes}, a good one creates its connection through the
 * {@link ConnectionMint}, and a code used twice revokes the connection its first use created (RFC 6749 section 4.1.2).
 * Refusals never echo the code or the verifier.
 */
@Component
final class CodeExchange {

    private static final Logger log = LoggerFactory.getLogger(CodeExchange.class);

    private final AuthorizationCodes codes;
    private final ConnectionMint mint;
    private final ConnectionControl control;

    CodeExchange(AuthorizationCodes codes, ConnectionMint mint, ConnectionControl control) {
        this.codes = codes;
        this.mint = mint;
        this.control = control;
    }

    TokenAnswer exchange(TokenRequest request, ClientCredentials client) {
        if (request.code() == null || request.code().isBlank()) {
            return new TokenRefusal(OAuthError.INVALID_REQUEST, "code is missing");
        }
        if (request.redirectUri() == null || request.redirectUri().isBlank()) {
            return new TokenRefusal(OAuthError.INVALID_REQUEST, "redirect_uri is missing");
        }
        return switch (codes.redeem(request.code(), client.clientId(), request.redirectUri(),
                request.codeVerifier())) {
            case CodeRedemption.Refused refused -> {
                if (refused.revokeRealmId() != null && control.revoke(refused.revokeRealmId())) {
                    log.info("Authorization code used twice: the connection of realm {} is revoked",
                            refused.revokeRealmId());
                }
                log.debug("invalid_grant for an authorization code: {}", refused.reason());
                yield new TokenRefusal(OAuthError.INVALID_GRANT, refused.reason().description());
            }
            case CodeRedemption.Redeemed redeemed -> mint.authorized(redeemed.realmId(),
                    request.includeHardExpiry());
        };
    }
}
