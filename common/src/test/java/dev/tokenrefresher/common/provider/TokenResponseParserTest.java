package dev.tokenrefresher.common.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.ObjectMapper;

class TokenResponseParserTest {

    private static final Duration DEFAULT_LIFETIME = Duration.ofHours(1);
    private final TokenResponseParser parser = new TokenResponseParser(new ObjectMapper());

    @Test
    void intuitAnswerGivesBothTokensAndBothLifetimes() {
        var parsed = parse("""
                {"token_type":"bearer","access_token":"at","expires_in":3600,"refresh_token":"rt",
                 "x_refresh_token_expires_in":8726400,"x_refresh_token_hard_expires_in":157680000}""");

        assertThat(parsed.problem()).isNull();
        assertThat(parsed.grant().accessToken()).isEqualTo("at");
        assertThat(parsed.grant().refreshToken()).isEqualTo("rt");
        assertThat(parsed.grant().accessTokenLifetime()).isEqualTo(Duration.ofHours(1));
        assertThat(parsed.grant().refreshTokenLifetime()).isEqualTo(Duration.ofSeconds(8726400));
        assertThat(parsed.grant().effectiveRefreshTokenLifetime()).isEqualTo(Duration.ofSeconds(8726400));
    }

    @Test
    void hardLifetimeCapsTheRollingOne() {
        var parsed = parse("""
                {"access_token":"at","expires_in":3600,"x_refresh_token_expires_in":8726400,
                 "x_refresh_token_hard_expires_in":600}""");

        assertThat(parsed.grant().effectiveRefreshTokenLifetime()).isEqualTo(Duration.ofSeconds(600));
    }

    @Test
    void answerWithoutRefreshTokenKeepsTheStoredOne() {
        var parsed = parse("{\"access_token\":\"at\",\"expires_in\":60}");

        assertThat(parsed.grant().refreshToken()).isNull();
        assertThat(parsed.grant().refreshTokenLifetime()).isNull();
    }

    @Test
    void otherProvidersSpellingsOfTheRefreshLifetimeAreRead() {
        assertThat(parse("{\"access_token\":\"a\",\"refresh_token_expires_in\":100}").grant()
                .refreshTokenLifetime()).isEqualTo(Duration.ofSeconds(100));
        assertThat(parse("{\"access_token\":\"a\",\"refresh_expires_in\":\"200\"}").grant()
                .refreshTokenLifetime()).isEqualTo(Duration.ofSeconds(200));
    }

    @Test
    void zeroRefreshLifetimeMeansNoExpiry() {
        assertThat(parse("{\"access_token\":\"a\",\"refresh_expires_in\":0}").grant().refreshTokenLifetime())
                .isNull();
    }

    @Test
    void numbersSentAsStringsAreAccepted() {
        assertThat(parse("{\"access_token\":\"a\",\"expires_in\":\"3599\"}").grant().accessTokenLifetime())
                .isEqualTo(Duration.ofSeconds(3599));
    }

    @Test
    void missingExpiresInFallsBackToTheProvidersDefault() {
        assertThat(parse("{\"access_token\":\"a\"}").grant().accessTokenLifetime()).isEqualTo(DEFAULT_LIFETIME);
    }

    @Test
    void answersWithoutAnyTokenAreMalformed() {
        assertThat(parse("{\"expires_in\":3600}").problem()).isEqualTo("access_token is missing or empty");
        assertThat(parse("{\"access_token\":\"  \"}").problem()).isEqualTo("access_token is missing or empty");
        assertThat(parse("{\"access_token\":null}").problem()).isEqualTo("access_token is missing or empty");
        assertThat(parse("<html>gateway</html>").problem()).isEqualTo("the body is not JSON");
        assertThat(parse("\"text\"").problem()).isEqualTo("the body is not a JSON object");
    }

    @Test
    void aRefreshTokenIsNeverDiscardedBecauseAnotherFieldIsOdd() {
        // the provider has spent the old refresh token by the time any of these arrives
        for (String odd : List.of("\"expires_in\":\"3600s\"", "\"expires_in\":0", "\"expires_in\":-5",
                "\"expires_in\":1e14", "\"expires_in\":100000000000000", "\"expires_in\":{\"s\":1}",
                "\"x_refresh_token_expires_in\":8726400.5", "\"x_refresh_token_expires_in\":\"100 days\"")) {
            TokenGrant grant = parse("{\"access_token\":\"at\",\"refresh_token\":\"rt-new\"," + odd + "}").grant();

            assertThat(grant).as(odd).isNotNull();
            assertThat(grant.refreshToken()).as(odd).isEqualTo("rt-new");
            assertThat(grant.oddities()).as(odd).hasSize(1);
            assertThat(grant.accessTokenLifetime()).as(odd).isPositive().isLessThanOrEqualTo(DEFAULT_LIFETIME);
        }
    }

    @Test
    void oddFieldsGetSafeDefaults() {
        TokenGrant textExpiry = parse("{\"access_token\":\"at\",\"refresh_token\":\"rt\",\"expires_in\":\"3600s\"}")
                .grant();
        TokenGrant noAccessToken = parse("{\"refresh_token\":\"rt\",\"expires_in\":3600}").grant();
        TokenGrant oddRefreshLifetime = parse("{\"access_token\":\"at\",\"refresh_token\":\"rt\","
                + "\"x_refresh_token_expires_in\":8726400.5}").grant();
        TokenGrant decimal = parse("{\"access_token\":\"at\",\"refresh_token\":\"rt\",\"expires_in\":3600.0}")
                .grant();

        // an expiry that cannot be read is taken as short: the token is refreshed again soon
        assertThat(textExpiry.accessTokenLifetime()).isEqualTo(TokenResponseParser.SAFE_ACCESS_TOKEN_LIFETIME);
        assertThat(textExpiry.oddityCode()).isEqualTo("odd:expires_in");
        assertThat(noAccessToken.accessToken()).isNull();
        assertThat(noAccessToken.oddities()).containsExactly("access_token");
        assertThat(oddRefreshLifetime.refreshLifetimeKnown()).isFalse();
        assertThat(oddRefreshLifetime.refreshTokenLifetime()).isNull();
        // a whole number written as a decimal is that number, nothing odd
        assertThat(decimal.accessTokenLifetime()).isEqualTo(Duration.ofSeconds(3600));
        assertThat(decimal.oddities()).isEmpty();
    }

    @Test
    void errorCodeIsReadFromErrorAnswers() {
        assertThat(parser.errorCode(bytes("{\"error\":\"invalid_grant\"}"))).contains("invalid_grant");
        assertThat(parser.errorCode(bytes("bad gateway"))).isEmpty();
    }

    private TokenResponseParser.ParsedGrant parse(String body) {
        return parser.parseGrant(bytes(body), DEFAULT_LIFETIME);
    }

    private static byte[] bytes(String body) {
        return body.getBytes(StandardCharsets.UTF_8);
    }
}
