package dev.tokenrefresher.scheduler.connect;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReturnUrlsTest {

    private final ReturnUrls allowed = new ReturnUrls(List.of(URI.create("https://app.example.com/oauth"), URI
            .create("http://127.0.0.1:8081/")));

    @ParameterizedTest
    @ValueSource(strings = {"https://app.example.com/oauth", "https://app.example.com/oauth/done?tenant=7",
            "https://APP.example.com:443/oauth/x", "http://127.0.0.1:8081/anything/at/all"})
    void aUrlUnderAnAllowedEntryIsAllowed(String url) {
        assertThat(allowed.refusal(url)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://app.example.com/oauthx", "https://app.example.com.evil.test/oauth",
            "http://app.example.com/oauth", "https://app.example.com:8443/oauth", "https://app.example.com/",
            "http://127.0.0.1:8082/", "https://app.example.com/oauth/../admin",
            "https://app.example.com/oauth/%2e%2e/admin", "https://app.example.com/oauth/%2E%2E",
            "https://app.example.com/oauth%2f..%2fadmin", "https://app.example.com/oauth/./../admin",
            "https://evil.test/?next=https://app.example.com/oauth"})
    void aUrlOutsideEveryEntryIsRefusedSoASessionIsNeverAnOpenRedirect(String url) {
        assertThat(allowed.refusal(url)).hasValueSatisfying(problem -> assertThat(problem).contains(
                "allowed-return-urls"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/relative/path", "javascript:alert(1)", "ftp://app.example.com/oauth",
            "//app.example.com/oauth"})
    void anythingButAnAbsoluteHttpUrlIsRefused(String url) {
        assertThat(allowed.refusal(url)).contains("must be an absolute http(s) URL");
    }

    @Test
    void userInfoAndFragmentsAreRefused() {
        assertThat(allowed.refusal("https://user:pw@app.example.com/oauth")).contains(
                "must not carry user info or a fragment");
        assertThat(allowed.refusal("https://app.example.com/oauth#x")).contains(
                "must not carry user info or a fragment");
    }

    @Test
    void withNoEntryConfiguredNothingIsAllowedAndTheAnswerSaysWhichSettingToSet() {
        assertThat(new ReturnUrls(List.of()).refusal("https://app.example.com/oauth")).contains(
                "is not allowed: refresher.connect.allowed-return-urls is empty");
    }

    @Test
    void anUnparsableUrlIsRefused() {
        assertThat(allowed.refusal("https://app.example.com/a b")).contains("is not a valid URL");
    }
}
