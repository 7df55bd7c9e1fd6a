package dev.tokenrefresher.sandbox.token;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClientCredentialsTest {

    private static String basic(String userInfo) {
        return "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void basicHeaderCarriesIdAndSecret() {
        assertThat(ClientCredentials.fromRequest(basic("id:secret"), null, null))
                .contains(new ClientCredentials("id", "secret"));
    }

    @Test
    void basicHeaderSchemeIsCaseInsensitive() {
        assertThat(ClientCredentials.fromRequest(basic("id:secret").replace("Basic", "bAsIc"), null, null))
                .contains(new ClientCredentials("id", "secret"));
    }

    @Test
    void basicHeaderPartsAreFormUrlDecodedAsRfc6749Requires() {
        assertThat(ClientCredentials.fromRequest(basic("my%3Aid:s%2Bcr%3At"), null, null))
                .contains(new ClientCredentials("my:id", "s+cr:t"));
    }

    @Test
    void formFieldsCarryIdAndSecretWithoutBasicHeader() {
        assertThat(ClientCredentials.fromRequest(null, "id", "secret")).contains(new ClientCredentials("id", "secret"));
    }

    @Test
    void basicHeaderWinsOverFormFields() {
        assertThat(ClientCredentials.fromRequest(basic("id:secret"), "other", "other"))
                .contains(new ClientCredentials("id", "secret"));
    }

    @Test
    void incompleteOrMalformedCredentialsAreAbsent() {
        assertThat(ClientCredentials.fromRequest(null, "id", null)).isEmpty();
        assertThat(ClientCredentials.fromRequest(null, null, null)).isEmpty();
        assertThat(ClientCredentials.fromRequest("Bearer abc", null, null)).isEmpty();
        assertThat(ClientCredentials.fromRequest("Basic not*base64", null, null)).isEmpty();
        assertThat(ClientCredentials.fromRequest(basic("no-colon"), null, null)).isEmpty();
    }

    @Test
    void matchesOnlyTheSameIdAndSecret() {
        ClientCredentials registered = new ClientCredentials("id", "secret");

        assertThat(registered.matches(new ClientCredentials("id", "secret"))).isTrue();
        assertThat(registered.matches(new ClientCredentials("id", "secreT"))).isFalse();
        assertThat(registered.matches(new ClientCredentials("other", "secret"))).isFalse();
    }

    @Test
    void toStringHidesTheSecret() {
        assertThat(new ClientCredentials("id", "top-secret")).asString().doesNotContain("top-secret");
        assertThat(Optional.of(new TokenRequest(Optional.empty(), "refresh_token", "sbx_rt_x", false)))
                .asString()
                .doesNotContain("sbx_rt_x");
    }
}
