package dev.tokenrefresher.sandbox.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

class DemoPropertiesTest {

    private static DemoProperties bind(Map<String, String> properties) {
        return new Binder(new MapConfigurationPropertySource(properties)).bindOrCreate("sandbox.demo",
                DemoProperties.class);
    }

    @Test
    void nothingConfiguredMeansTheDemoIsOff() {
        DemoProperties properties = bind(Map.of());

        assertThat(properties).isEqualTo(DemoProperties.off());
        assertThat(properties.enabled()).isFalse();
        assertThat(properties.connections()).isZero();
        assertThat(properties.registerUrl()).isNull();
        assertThat(properties.provider()).isEqualTo("quickbooks");
        assertThat(properties.tenantPrefix()).isEqualTo("demo-tenant-");
        assertThat(properties.schedulerWait()).isEqualTo(Duration.ofMinutes(2));
        assertThat(properties.headers()).isEmpty();
    }

    @Test
    void configuredValuesBindFromKebabCaseNames() {
        DemoProperties properties = bind(Map.of("sandbox.demo.connections", "300", "sandbox.demo.register-url",
                "http://127.0.0.1:8080/api/connections", "sandbox.demo.provider", "xero",
                "sandbox.demo.tenant-prefix", "t-", "sandbox.demo.scheduler-wait", "30s",
                "sandbox.demo.headers.x-api-key", "k1", "sandbox.demo.headers[X-Tenant-Source]", "demo"));

        assertThat(properties).isEqualTo(new DemoProperties(300, URI.create("http://127.0.0.1:8080/api/connections"),
                "xero", "t-", Duration.ofSeconds(30), Map.of("x-api-key", "k1", "X-Tenant-Source", "demo")));
        assertThat(properties.enabled()).isTrue();
    }

    @Test
    void environmentVariablesWithoutDashesBindAsTheReadmeShows() {
        SystemEnvironmentPropertySource environment = new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                Map.of("SANDBOX_DEMO_CONNECTIONS", "300", "SANDBOX_DEMO_REGISTERURL",
                        "http://scheduler:8080/api/connections", "SANDBOX_DEMO_SCHEDULERWAIT", "3m"));

        DemoProperties properties = new Binder(ConfigurationPropertySources.from(environment))
                .bindOrCreate("sandbox.demo", DemoProperties.class);

        assertThat(properties.connections()).isEqualTo(300);
        assertThat(properties.registerUrl()).isEqualTo(URI.create("http://scheduler:8080/api/connections"));
        assertThat(properties.schedulerWait()).isEqualTo(Duration.ofMinutes(3));
    }

    @Test
    void demoSwitchedOnWithoutRegisterUrlStopsTheStartNamingTheProperty() {
        assertThatThrownBy(() -> bind(Map.of("sandbox.demo.connections", "3"))).isInstanceOf(BindException.class)
                .rootCause()
                .hasMessageStartingWith(
                        "sandbox.demo.register-url is required when sandbox.demo.connections is above 0");
    }

    @Test
    void registerUrlMustBeAnAbsoluteHttpUrl() {
        assertThatThrownBy(() -> bind(Map.of("sandbox.demo.connections", "3", "sandbox.demo.register-url",
                "/api/connections"))).rootCause().hasMessageContaining("sandbox.demo.register-url");
        assertThatThrownBy(() -> bind(Map.of("sandbox.demo.connections", "3", "sandbox.demo.register-url",
                "ftp://127.0.0.1/api/connections"))).rootCause().hasMessageContaining("sandbox.demo.register-url");
    }

    @Test
    void negativeValuesAreRejectedAtStartup() {
        assertThatThrownBy(() -> bind(Map.of("sandbox.demo.connections", "-1"))).rootCause()
                .hasMessage("sandbox.demo.connections must be zero or positive, was -1");
        assertThatThrownBy(() -> bind(Map.of("sandbox.demo.scheduler-wait", "-1s"))).rootCause()
                .hasMessageContaining("sandbox.demo.scheduler-wait");
    }

    @Test
    void headerTheHttpClientRefusesIsRejectedAtStartupWithoutEchoingItsValue() {
        assertThatThrownBy(() -> bind(Map.of("sandbox.demo.connections", "3", "sandbox.demo.register-url",
                "http://127.0.0.1:8080/api/connections", "sandbox.demo.headers.host", "secret-value"))).rootCause()
                .hasMessageContaining("sandbox.demo.headers.host")
                .message()
                .doesNotContain("secret-value");
    }

    @Test
    void headerValuesStayOutOfTheTextForm() {
        DemoProperties properties = new DemoProperties(1, URI.create("http://127.0.0.1:8080/api/connections"), null,
                null, null, Map.of("x-api-key", "secret-value"));

        assertThat(properties.toString()).contains("x-api-key").doesNotContain("secret-value");
    }
}
