package dev.tokenrefresher.scheduler.connection;

import dev.tokenrefresher.common.provider.ProviderSettings;
import dev.tokenrefresher.common.provider.TokenGrant;
import dev.tokenrefresher.common.provider.TokenResponseParser;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The tokens a registration hands over, from either of its two shapes: the provider's token response as it came, or
 * the separate camelCase fields. A missing or 0 refresh-token lifetime means the refresh token does not expire.
 *
 * @param refreshLifetime the rolling lifetime capped by the hard one; {@code null} when neither is known
 * @param refreshHardLifetime the hard cap alone (Intuit's {@code x_refresh_token_hard_expires_in}); {@code null} when not
 *            given
 */
record IssuedTokens(String accessToken, String refreshToken, Duration accessLifetime, Duration refreshLifetime,
        Duration refreshHardLifetime) {

    static final String TOKEN_RESPONSE = "tokenResponse";

    static IssuedTokens of(RegisterConnectionRequest request, ProviderSettings provider) {
        boolean separateFields = request.accessToken() != null || request.refreshToken() != null
                || request.expiresIn() != null || request.refreshTokenExpiresIn() != null
                || request.refreshTokenHardExpiresIn() != null;
        if (request.tokenResponse() != null && !request.tokenResponse().isNull()) {
            if (separateFields) {
                throw new InvalidFieldException(TOKEN_RESPONSE, "give either tokenResponse or accessToken, "
                        + "refreshToken and expiresIn, not both");
            }
            return fromTokenResponse(request, provider);
        }
        return fromSeparateFields(request);
    }

    private static IssuedTokens fromTokenResponse(RegisterConnectionRequest request, ProviderSettings provider) {
        var parsed = TokenResponseParser.parseGrant(request.tokenResponse(), provider.defaultAccessTokenLifetime());
        if (parsed.grant() == null) {
            throw new InvalidFieldException(TOKEN_RESPONSE,
                    "is not a usable token response (" + parsed.problem().replace("the body", "it") + ")");
        }
        TokenGrant grant = parsed.grant();
        List<InvalidFieldException.FieldProblem> problems = new ArrayList<>();
        if (grant.accessToken() == null) {
            problems.add(new InvalidFieldException.FieldProblem(TOKEN_RESPONSE + ".access_token", "is required"));
        }
        grant.oddities().stream().filter(field -> !field.equals("access_token")).forEach(field -> problems.add(
                new InvalidFieldException.FieldProblem(TOKEN_RESPONSE + "." + field, "is not a usable lifetime "
                        + "(whole seconds, positive for expires_in, up to ten years)")));
        if (grant.refreshToken() == null) {
            problems.add(new InvalidFieldException.FieldProblem(TOKEN_RESPONSE + ".refresh_token",
                    "is required: without a refresh token there is nothing to keep alive"));
        }
        requireShortEnough(problems, TOKEN_RESPONSE + ".access_token", grant.accessToken());
        requireShortEnough(problems, TOKEN_RESPONSE + ".refresh_token", grant.refreshToken());
        if (!problems.isEmpty()) {
            throw new InvalidFieldException(problems);
        }
        return new IssuedTokens(grant.accessToken(), grant.refreshToken(), grant.accessTokenLifetime(), grant
                .effectiveRefreshTokenLifetime(), grant.refreshTokenHardLifetime());
    }

    /**
     * The separate fields a registration without {@code tokenResponse} lacks; empty when it has a token response or
     * all of them. Checked with the bean constraints, so that one answer names every bad field.
     */
    static List<InvalidFieldException.FieldProblem> missingSeparateFields(RegisterConnectionRequest request) {
        if (request.tokenResponse() != null && !request.tokenResponse().isNull()) {
            return List.of();
        }
        List<InvalidFieldException.FieldProblem> problems = new ArrayList<>();
        String required = "is required, unless tokenResponse is given";
        if (request.accessToken() == null || request.accessToken().isBlank()) {
            problems.add(new InvalidFieldException.FieldProblem("accessToken", required));
        }
        if (request.refreshToken() == null || request.refreshToken().isBlank()) {
            problems.add(new InvalidFieldException.FieldProblem("refreshToken", required));
        }
        if (request.expiresIn() == null) {
            problems.add(new InvalidFieldException.FieldProblem("expiresIn", required));
        }
        return problems;
    }

    private static IssuedTokens fromSeparateFields(RegisterConnectionRequest request) {
        List<InvalidFieldException.FieldProblem> problems = missingSeparateFields(request);
        if (!problems.isEmpty()) {
            throw new InvalidFieldException(problems);
        }
        Duration hard = positiveOrNull(request.refreshTokenHardExpiresIn());
        return new IssuedTokens(request.accessToken(), request.refreshToken(), Duration.ofSeconds(request
                .expiresIn()), shorterOf(positiveOrNull(request.refreshTokenExpiresIn()), hard), hard);
    }

    private static void requireShortEnough(List<InvalidFieldException.FieldProblem> problems, String field,
            String token) {
        if (token != null && token.length() > RegisterConnectionRequest.MAX_TOKEN_LENGTH) {
            problems.add(new InvalidFieldException.FieldProblem(field, "is longer than "
                    + RegisterConnectionRequest.MAX_TOKEN_LENGTH + " characters"));
        }
    }

    /** 0 means "no expiry", as many servers answer for offline tokens. */
    private static Duration positiveOrNull(Long seconds) {
        return seconds == null || seconds == 0 ? null : Duration.ofSeconds(seconds);
    }

    private static Duration shorterOf(Duration rolling, Duration hard) {
        if (rolling == null) {
            return hard;
        }
        if (hard == null) {
            return rolling;
        }
        return rolling.compareTo(hard) <= 0 ? rolling : hard;
    }

    @Override
    public String toString() {
        return "IssuedTokens[accessLifetime=" + accessLifetime + ", refreshLifetime=" + refreshLifetime
                + ", refreshHardLifetime=" + refreshHardLifetime + "]";
    }
}
