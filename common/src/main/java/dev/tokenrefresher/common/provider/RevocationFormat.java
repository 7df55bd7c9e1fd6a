package dev.tokenrefresher.common.provider;

/** How a revocation request carries the token. */
public enum RevocationFormat {
    /** {@code application/x-www-form-urlencoded}, {@code token=...&token_type_hint=refresh_token} (RFC 7009). */
    FORM,
    /** {@code application/json}, {@code {"token": "..."}}, as Intuit's revoke endpoint takes it. */
    JSON
}
