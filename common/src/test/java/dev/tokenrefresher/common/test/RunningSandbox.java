package dev.tokenrefresher.common.test;

import dev.tokenrefresher.sandbox.SandboxApplication;
import java.net.URI;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/** The sandbox provider started inside the test JVM on a free port: a real HTTP token endpoint. */
public final class RunningSandbox implements AutoCloseable {

    public static final String CLIENT_ID = "test-client";
    public static final String CLIENT_SECRET = "test-secret";

    private final ConfigurableApplicationContext context;
    private final int port;

    private RunningSandbox(ConfigurableApplicationContext context) {
        this.context = context;
        this.port = ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    /** @param properties extra sandbox properties, e.g. {@code sandbox.latency=2s} */
    public static RunningSandbox start(String... properties) {
        var builder = SandboxApplication.builder().properties("server.port=0", "sandbox.client-id=" + CLIENT_ID,
                "sandbox.client-secret=" + CLIENT_SECRET, "logging.level.root=WARN");
        return new RunningSandbox(builder.properties(properties).run());
    }

    public URI tokenUri() {
        return url("/oauth2/v1/tokens/bearer");
    }

    public URI url(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    @Override
    public void close() {
        context.close();
    }
}
