package dev.tokenrefresher.common.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProviderRegistryTest {

    @Test
    void quickbooksPresetNeedsOnlyClientCredentials() {
        ProviderSettings settings = ProviderRegistry.resolve("quickbooks", properties(null, null, "id", "secret",
                null, null));

        assertThat(settings.tokenUri()).isEqualTo(URI.create(
                "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer"));
        assertThat(settings.clientAuthentication()).isEqualTo(ClientAuthentication.CLIENT_SECRET_BASIC);
        assertThat(settings.requestHeaders()).containsEntry("x-include-refresh-token-hard-expires-in", "true");
        assertThat(settings.refreshLeadTime()).isEqualTo(ProviderSettings.DEFAULT_REFRESH_LEAD_TIME);
        assertThat(settings.concurrency()).isEqualTo(ProviderSettings.DEFAULT_CONCURRENCY);
    }

    @Test
    void quickbooksPresetKnowsIntuitsAuthorizationEndpointAndTheAccountingScopeWithoutPkce() {
        ProviderAuthorization authorization = ProviderRegistry.resolve("quickbooks", properties(null, null, "id",
                "secret", null, null)).authorization();

        assertThat(authorization.configured()).isTrue();
        assertThat(authorization.authorizationUri()).hasToString("https://appcenter.intuit.com/connect/oauth2");
        assertThat(authorization.scopes()).containsExactly("com.intuit.quickbooks.accounting");
        assertThat(authorization.pkce()).isFalse();
        assertThat(authorization.redirectUri()).as("the scheduler's own callback").isNull();
    }

    @Test
    void anyProviderTakesConnectSessionsThroughConfigurationAloneWithPkceByDefault() {
        ProviderProperties configured = new ProviderProperties(null, URI.create("https://auth.example.com/token"),
                "id", "secret", null, null, null, null, null, null, null, null, null, URI.create(
                        "https://auth.example.com/authorize"),
                List.of("read", "offline_access"), URI.create(
                        "https://refresher.example.com/connect/callback"),
                null);

        ProviderAuthorization authorization = ProviderRegistry.resolve("generic", configured).authorization();

        assertThat(authorization.authorizationUri()).hasToString("https://auth.example.com/authorize");
        assertThat(authorization.scopes()).containsExactly("read", "offline_access");
        assertThat(authorization.redirectUri()).hasToString("https://refresher.example.com/connect/callback");
        assertThat(authorization.pkce()).isTrue();
        assertThat(ProviderRegistry.resolve("xero", properties(null, URI.create("https://x.test/token"), "id", "s",
                null, null)).authorization().configured()).as("no authorization-uri").isFalse();
    }

    @Test
    void anAuthorizationUriThatIsNotHttpIsRefusedNamingTheProperty() {
        ProviderProperties configured = new ProviderProperties(null, URI.create("https://auth.example.com/token"),
                "id", "secret", null, null, null, null, null, null, null, null, null, URI.create(
                        "javascript:alert(1)"),
                null, null, null);

        assertThatThrownBy(() -> ProviderRegistry.resolve("generic", configured)).hasMessage(
                "refresher.providers.generic: authorization-uri must be an http(s) URI, was javascript:alert(1)");
    }

    @Test
    void presetCanBeNamedForAnotherProviderNameAndOverridden() {
        ProviderSettings settings = ProviderRegistry.resolve("qbo-sandbox", properties("quickbooks",
                URI.create("http://127.0.0.1:9090/oauth2/v1/tokens/bearer"), "id", "secret", Duration.ofSeconds(4),
                ClientAuthentication.CLIENT_SECRET_POST));

        assertThat(settings.tokenUri().getHost()).isEqualTo("127.0.0.1");
        assertThat(settings.refreshLeadTime()).isEqualTo(Duration.ofSeconds(4));
        assertThat(settings.clientAuthentication()).isEqualTo(ClientAuthentication.CLIENT_SECRET_POST);
    }

    @Test
    void anyOtherProviderIsPlainConfiguration() {
        ProviderSettings settings = ProviderRegistry.resolve("xero", properties(null,
                URI.create("https://identity.xero.com/connect/token"), "id", "secret", null, null));

        assertThat(settings.requestHeaders()).isEmpty();
        assertThat(settings.clientAuthentication()).isEqualTo(ProviderSettings.DEFAULT_CLIENT_AUTHENTICATION);
    }

    @Test
    void incompleteConfigurationNamesTheProviderAndTheProperty() {
        assertThatThrownBy(() -> ProviderRegistry.resolve("xero", properties(null, null, "id", "s", null, null)))
                .isInstanceOf(InvalidProviderConfigurationException.class)
                .hasMessage("refresher.providers.xero: token-uri is required");
        assertThatThrownBy(() -> ProviderRegistry.resolve("quickbooks", properties(null, null, "id", "", null,
                null))).hasMessageContaining("client-secret is required")
                .hasMessageContaining("REFRESHER_PROVIDERS_QUICKBOOKS_CLIENTSECRET");
        assertThatThrownBy(() -> ProviderRegistry.resolve("Bad.Name", properties(null, null, "id", "s", null,
                null))).hasMessageContaining("lowercase letters");
        assertThatThrownBy(() -> ProviderRegistry.resolve("x", properties("nope", null, "id", "s", null, null)))
                .hasMessageContaining("unknown preset 'nope'");
    }

    @Test
    void aTimedOutCallsQuietPeriodIsThirtySecondsUnlessConfiguredAndNeverNegative() {
        ProviderProperties configured = new ProviderProperties(null, null, "id", "s", null, null, null, null, null,
                null, null, null, Duration.ofSeconds(5));

        assertThat(ProviderRegistry.resolve("quickbooks", properties(null, null, "id", "s", null, null))
                .timeoutQuietPeriod()).isEqualTo(Duration.ofSeconds(30));
        assertThat(ProviderRegistry.resolve("quickbooks", configured).timeoutQuietPeriod()).isEqualTo(Duration
                .ofSeconds(5));
        assertThatThrownBy(() -> ProviderRegistry.resolve("quickbooks", new ProviderProperties(null, null, "id", "s",
                null, null, null, null, null, null, null, null, Duration.ofSeconds(-1)))).hasMessageContaining(
                        "timeout-quiet-period must be positive");
    }

    @Test
    void unknownProviderNamesTheConfiguredOnes() {
        ProviderRegistry registry = new ProviderRegistry(new ProvidersProperties(Map.of("quickbooks", properties(
                null, null, "id", "s", null, null))));

        assertThatThrownBy(() -> registry.get("xero")).isInstanceOf(UnknownProviderException.class)
                .hasMessageContaining("'xero'").hasMessageContaining("[quickbooks]");
    }

    @Test
    void secretNeverAppearsInToString() {
        ProviderSettings settings = ProviderRegistry.resolve("quickbooks", properties(null, null, "id",
                "s3cr3t-value", null, null));

        assertThat(settings.toString()).doesNotContain("s3cr3t-value");
    }

    private static ProviderProperties properties(String preset, URI uri, String clientId, String secret,
            Duration lead, ClientAuthentication auth) {
        return new ProviderProperties(preset, uri, clientId, secret, auth, lead, null, null, null, null, null, null,
                null);
    }
}
