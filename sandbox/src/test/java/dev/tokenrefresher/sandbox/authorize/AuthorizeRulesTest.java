package dev.tokenrefresher.sandbox.authorize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The authorization endpoint's rules that need no server: PKCE, redirect URIs, properties, escaping. */
class AuthorizeRulesTest {

    @Test
    void s256ChallengeMatchesRfc7636AppendixB() {
        String verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

        assertThat(Pkce.challengeOf(verifier)).isEqualTo("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        assertThat(Pkce.verifies(verifier, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")).isTrue();
        assertThat(Pkce.verifies("x".repeat(42), Pkce.challengeOf("x".repeat(42)))).as("too short").isFalse();
    }

    @Test
    void withoutConfiguredUrisAnyLoopbackHttpUriIsAllowedAndNothingElse() {
        RedirectUris any = new RedirectUris(List.of());

        assertThat(any.allows("http://127.0.0.1:54321/callback?x=1")).isTrue();
        assertThat(any.allows("https://localhost/cb")).isTrue();
        assertThat(any.allows("http://[::1]:8080/cb")).isTrue();
        assertThat(any.allows("https://example.com/cb")).isFalse();
        assertThat(any.allows("http://localhost.example.com/cb")).isFalse();
        assertThat(any.allows("http://user@localhost/cb")).isFalse();
        assertThat(any.allows("http://localhost/cb#fragment")).isFalse();
        assertThat(any.allows("ftp://localhost/cb")).isFalse();
        assertThat(any.allows("/relative")).isFalse();
    }

    @Test
    void configuredUrisAreComparedAsExactStrings() {
        RedirectUris registered = new RedirectUris(List.of("https://app.example.com/callback"));

        assertThat(registered.allows("https://app.example.com/callback")).isTrue();
        assertThat(registered.allows("https://app.example.com/callback/")).isFalse();
        assertThat(registered.allows("http://127.0.0.1:8080/callback")).isFalse();
    }

    @Test
    void redirectKeepsAnExistingQueryAndFormEncodesValues() {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("code", "c");
        query.put("state", "a b&c=d");
        query.put("missing", null);

        assertThat(RedirectUris.with("http://localhost/cb?tenant=7", query))
                .isEqualTo("http://localhost/cb?tenant=7&code=c&state=a+b%26c%3Dd");
        assertThat(RedirectUris.with("http://localhost/cb", Map.of("error", "access_denied")))
                .isEqualTo("http://localhost/cb?error=access_denied");
    }

    @Test
    void propertiesDefaultToFiveMinuteCodesAndRefuseBadValues() {
        assertThat(AuthorizeProperties.defaults().authorizationCodeLifetime()).isEqualTo(Duration.ofMinutes(5));
        assertThat(AuthorizeProperties.defaults().redirectUris()).isEmpty();
        assertThatThrownBy(() -> new AuthorizeProperties(List.of("localhost/cb"), null, null))
                .hasMessageContaining("sandbox.redirect-uris");
        assertThatThrownBy(() -> new AuthorizeProperties(null, List.of("two words"), null))
                .hasMessageContaining("sandbox.scopes");
        assertThatThrownBy(() -> new AuthorizeProperties(null, null, Duration.ZERO))
                .hasMessageContaining("sandbox.authorization-code-lifetime");
    }

    @Test
    void escapingCoversTextAndBothKindsOfAttributeQuotes() {
        assertThat(Pages.escape("<a href=\"x\" title='y'>&</a>"))
                .isEqualTo("&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
        assertThat(Pages.escape(null)).isEmpty();
    }
}
