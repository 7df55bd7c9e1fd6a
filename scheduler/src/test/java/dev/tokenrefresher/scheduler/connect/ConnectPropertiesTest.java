package dev.tokenrefresher.scheduler.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConnectPropertiesTest {

    @Test
    void theDefaultsAreNamedAndTheCallbackHangsOffThePublicBaseUrl() {
        ConnectProperties defaults = new ConnectProperties(null, null, null, null);

        assertThat(defaults.publicBaseUrl()).hasToString(ConnectProperties.DEFAULT_PUBLIC_BASE_URL);
        assertThat(defaults.allowedReturnUrls()).isEmpty();
        assertThat(defaults.sessionLifetime()).isEqualTo(Duration.ofMinutes(10));
        assertThat(defaults.defaultRedirectUri()).hasToString("http://localhost:8080/connect/callback");
        assertThat(new ConnectProperties(URI.create("https://r.example.com/base/"), null, null, null)
                .connectLink("abc")).hasToString("https://r.example.com/base/connect/abc");
    }

    @Test
    void aRelativeBaseUrlOrAnEndlessSessionIsRefusedNamingTheProperty() {
        assertThatThrownBy(() -> new ConnectProperties(URI.create("/relative"), null, null, null))
                .hasMessageContaining("refresher.connect.public-base-url");
        assertThatThrownBy(() -> new ConnectProperties(null, null, Duration.ofDays(1), null))
                .hasMessageContaining("refresher.connect.session-lifetime");
    }
}
