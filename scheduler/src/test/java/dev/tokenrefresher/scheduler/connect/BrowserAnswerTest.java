package dev.tokenrefresher.scheduler.connect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BrowserAnswerTest {

    @Test
    void theParametersAreAddedToTheReturnUrlsOwnQueryEncodedAndInOrder() {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("connectSessionId", "42");
        parameters.put("error", "access_denied");
        parameters.put("error_description", "the user did not allow it & left");
        parameters.put("connectionId", null);

        BrowserAnswer.Redirect redirect = BrowserAnswer.back("https://app.example.com/oauth/done?tenant=t%201",
                parameters);

        assertThat(redirect.location().toString()).isEqualTo("https://app.example.com/oauth/done?tenant=t%201"
                + "&connectSessionId=42&error=access_denied&error_description=the%20user%20did%20not%20allow%20it"
                + "%20%26%20left");
    }

    @Test
    void aReturnUrlWithoutAQueryGetsOne() {
        assertThat(BrowserAnswer.back("https://app.example.com/done", Map.of("status", "ACTIVE")).location())
                .hasToString("https://app.example.com/done?status=ACTIVE");
    }
}
