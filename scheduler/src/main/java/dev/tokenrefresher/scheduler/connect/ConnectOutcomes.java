package dev.tokenrefresher.scheduler.connect;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Sends a session's user back to its return URL, with {@code connectSessionId} and either {@code connectionId} and
 * {@code status} or {@code error} and {@code error_description}, and counts how sessions end
 * ({@code refresher.connect.sessions}, tagged by provider and outcome).
 */
@Component
class ConnectOutcomes {

    private static final Logger log = LoggerFactory.getLogger(ConnectOutcomes.class);

    private final ConnectSessions sessions;
    private final MeterRegistry meters;

    ConnectOutcomes(ConnectSessions sessions, MeterRegistry meters) {
        this.sessions = sessions;
        this.meters = meters;
    }

    /** Fails the session with {@code error} and sends the user back with it. */
    BrowserAnswer failed(ConnectSession session, String error, String description, Instant now) {
        sessions.fail(session.id(), error, now);
        log.info("connect session={} failed: error={} ({})", session.id(), error, description);
        return refused(session, error, description);
    }

    /** Sends the user back with {@code error}, leaving the session as it is (it ended before, or goes on). */
    BrowserAnswer refused(ConnectSession session, String error, String description) {
        count(session.provider(), error);
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("connectSessionId", session.id().toString());
        parameters.put("error", error);
        parameters.put("error_description", description);
        return BrowserAnswer.back(session.returnUrl(), parameters);
    }

    BrowserAnswer completed(ConnectSession session, String connectionId, String status) {
        count(session.provider(), "completed");
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("connectSessionId", session.id().toString());
        parameters.put("connectionId", connectionId);
        parameters.put("status", status);
        return BrowserAnswer.back(session.returnUrl(), parameters);
    }

    private void count(String provider, String outcome) {
        meters.counter("refresher.connect.sessions", "provider", provider, "outcome", outcome).increment();
    }
}
