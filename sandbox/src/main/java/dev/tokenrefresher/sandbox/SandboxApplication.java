package dev.tokenrefresher.sandbox;

import java.util.Map;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.web.WebEndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.server.ManagementContextAutoConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.context.ConfigurationPropertiesAutoConfiguration;
import org.springframework.boot.autoconfigure.context.PropertyPlaceholderAutoConfiguration;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.HealthEndpointAutoConfiguration;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.http.converter.autoconfigure.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.servlet.autoconfigure.HttpEncodingAutoConfiguration;
import org.springframework.boot.servlet.autoconfigure.actuate.web.ServletManagementContextAutoConfiguration;
import org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.DispatcherServletAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.actuate.endpoint.web.WebMvcHealthEndpointExtensionAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.error.ErrorMvcAutoConfiguration;
import org.springframework.context.annotation.ComponentScan;

/**
 * A local stand-in for Intuit QuickBooks' OAuth2 token endpoint.
 *
 * <p>
 * The sandbox jar also sits on the test classpath of the other token-refresher applications, which start it in their
 * own JVM. So it ships no {@code application.yml} (that would leak into their contexts), it reads its own optional
 * config files named {@code sandbox.*} instead of theirs, and it imports only the auto-configurations it needs rather
 * than everything on the classpath (their DataSource, Flyway and RabbitMQ would otherwise be configured here too).
 */
@SpringBootConfiguration
@ComponentScan
@ConfigurationPropertiesScan
@ImportAutoConfiguration({PropertyPlaceholderAutoConfiguration.class, ConfigurationPropertiesAutoConfiguration.class,
        JacksonAutoConfiguration.class, HttpMessageConvertersAutoConfiguration.class, SslAutoConfiguration.class,
        TomcatServletWebServerAutoConfiguration.class, DispatcherServletAutoConfiguration.class,
        WebMvcAutoConfiguration.class, HttpEncodingAutoConfiguration.class, ErrorMvcAutoConfiguration.class,
        EndpointAutoConfiguration.class, WebEndpointAutoConfiguration.class, HealthContributorAutoConfiguration.class,
        HealthContributorRegistryAutoConfiguration.class, HealthEndpointAutoConfiguration.class,
        WebMvcHealthEndpointExtensionAutoConfiguration.class, ManagementContextAutoConfiguration.class,
        ServletManagementContextAutoConfiguration.class})
public class SandboxApplication {

    /** The port {@link #main} listens on unless {@code server.port} says otherwise. */
    public static final int DEFAULT_PORT = 9090;

    public static void main(String[] args) {
        builder().run(args);
    }

    /**
     * A builder preset with the sandbox's defaults. Properties added later with
     * {@link SpringApplicationBuilder#properties(String...)} override them, command-line arguments override both, e.g.
     * {@code SandboxApplication.builder().properties("server.port=0", "sandbox.access-token-lifetime=8s").run()}.
     */
    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(SandboxApplication.class).main(SandboxApplication.class)
                .properties(defaultProperties());
    }

    static Map<String, Object> defaultProperties() {
        return Map.of(
                "spring.application.name", "sandbox",
                // another application's application.yml on the same classpath must not configure the sandbox
                "spring.config.name", "sandbox",
                "spring.threads.virtual.enabled", "true",
                // Tomcat's default backlog of 100 overflows when hundreds of clients connect at once (a worker or the
                // benchmark's sweep starting with 600 in flight): the kernel drops their handshakes and retries them
                // after 1, 3, 7 s, so a request could reach the token logic after its client's 10-s timeout and
                // rotate a token nobody receives. A provider's load balancer accepts them.
                "server.tomcat.accept-count", "4096",
                "spring.mvc.problemdetails.enabled", "true",
                "server.port", String.valueOf(DEFAULT_PORT),
                "management.endpoints.web.exposure.include", "health");
    }
}
