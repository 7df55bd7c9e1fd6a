package dev.tokenrefresher.sandbox.token;

import dev.tokenrefresher.sandbox.authorize.AuthorizationCodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** {@code POST /sandbox/reset}: what the sandbox holds and counted is forgotten; settings and faults stay as they are. */
@Component
class SandboxReset {

    private static final Logger log = LoggerFactory.getLogger(SandboxReset.class);

    private final ConnectionRegistry connections;
    private final SandboxCounters counters;
    private final AuthorizationCodes codes;

    SandboxReset(ConnectionRegistry connections, SandboxCounters counters, AuthorizationCodes codes) {
        this.connections = connections;
        this.counters = counters;
        this.codes = codes;
    }

    /**
     * Forgets all connections, tokens, authorization codes and counters. The in-flight gauge is kept: requests still
     * running will count themselves out of it.
     */
    void reset() {
        connections.clear();
        counters.reset();
        codes.reset();
        log.info("Reset: all connections and counters forgotten");
    }
}
