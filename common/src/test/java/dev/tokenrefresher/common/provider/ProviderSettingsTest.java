package dev.tokenrefresher.common.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProviderSettingsTest {

    private static final Instant ISSUED = Instant.parse("2026-11-28T12:00:00Z");

    @Test
    void refreshIsDueTheLeadTimeBeforeTheAccessTokenExpires() {
        assertThat(withLead(Duration.ofMinutes(10)).refreshDueAt(ISSUED, Duration.ofHours(1)))
                .isEqualTo(Instant.parse("2026-11-28T12:50:00Z"));
    }

    @Test
    void leadTimeAsLongAsTheTokensLifeFallsBackToHalfTheLife() {
        assertThat(withLead(Duration.ofMinutes(10)).refreshDueAt(ISSUED, Duration.ofSeconds(8)))
                .isEqualTo(ISSUED.plusSeconds(4));
        assertThat(withLead(Duration.ofSeconds(8)).refreshDueAt(ISSUED, Duration.ofSeconds(8)))
                .isEqualTo(ISSUED.plusSeconds(4));
    }

    private static ProviderSettings withLead(Duration lead) {
        return new ProviderSettings("p", URI.create("https://example.test/token"), "id", "secret",
                ClientAuthentication.CLIENT_SECRET_BASIC, lead, 1, Duration.ofSeconds(10), Duration.ofHours(1),
                Map.of(), null, RevocationFormat.FORM, Duration.ofSeconds(30));
    }
}
