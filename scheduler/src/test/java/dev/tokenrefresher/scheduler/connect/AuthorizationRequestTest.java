package dev.tokenrefresher.scheduler.connect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenrefresher.common.provider.ProviderAuthorization;
import dev.tokenrefresher.common.provider.ProviderSettings;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuthorizationRequestTest {

    private static final URI CALLBACK = URI.create("https://refresher.example.com/connect/callback");

    @Test
    void theRequestCarriesEveryParameterUrlEncodedAndTheScopesSpaceSeparated() {
        URI uri = AuthorizationRequest.uri(provider("https://appcenter.intuit.com/connect/oauth2"), CALLBACK, List.of(
                "com.intuit.quickbooks.accounting", "openid"), "st&te=1",
                "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");

        assertThat(uri.toString()).isEqualTo("https://appcenter.intuit.com/connect/oauth2?response_type=code"
                + "&client_id=client%20one&redirect_uri=https%3A%2F%2Frefresher.example.com%2Fconnect%2Fcallback"
                + "&scope=com.intuit.quickbooks.accounting%20openid&state=st%26te%3D1"
                + "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256");
    }

    @Test
    void withoutPkceThereIsNoChallenge() {
        URI uri = AuthorizationRequest.uri(provider("https://auth.example.com/authorize"), CALLBACK, List.of("read"),
                "s", null);

        assertThat(uri.getQuery()).doesNotContain("code_challenge");
    }

    @Test
    void anEndpointsOwnQueryIsKept() {
        URI uri = AuthorizationRequest.uri(provider("https://auth.example.com/authorize?tenant=common"), CALLBACK,
                List.of("read"), "s", null);

        assertThat(uri.toString()).startsWith("https://auth.example.com/authorize?tenant=common&response_type=code&");
    }

    private static ProviderSettings provider(String authorizationUri) {
        return new ProviderSettings("p", URI.create("https://auth.example.com/token"), "client one", "secret", null,
                Duration.ofMinutes(10), 8, Duration.ofSeconds(10), Duration.ofHours(1), Map.of(), null, null,
                Duration.ZERO, new ProviderAuthorization(URI.create(authorizationUri), List.of("read"), null, true));
    }
}
