package dev.tokenrefresher.scheduler.connect;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.util.UUID;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** Connect and reconnect sessions for host apps (role admin or connect). */
@Tag(name = "Connect sessions", description = "Single-use links that run the OAuth2 authorization-code flow for a "
        + "tenant, for a new connection or a reconnect (role admin or connect).")
@RestController
class ConnectSessionController {

    private final ConnectSessionStarter starter;

    ConnectSessionController(ConnectSessionStarter starter) {
        this.starter = starter;
    }

    @Operation(summary = "Make a connect session", description = """
            Returns connectUrl, a single-use link valid for refresher.connect.session-lifetime (10 minutes). \
            Opening it sends the user to the provider's authorization page; afterwards the browser comes back to \
            returnUrl with connectSessionId, connectionId and status=ACTIVE, or with error (access_denied, \
            session_expired, link_used, state_reused, exchange_failed, ...) and error_description. Connecting a \
            tenant that has a connection with the provider is a reconnect of it.""")
    @ApiResponse(responseCode = "201", description = "made; connectUrl is shown only here")
    @ApiResponse(responseCode = "400", description = "a field is missing or invalid: an unknown provider, one "
            + "without authorization-uri, a returnUrl not allowed; errors names each field")
    @PostMapping("/api/connect-sessions")
    ResponseEntity<ConnectSessionView> connect(@RequestBody ConnectSessionRequest request) {
        ConnectSessionView session = starter.connect(request);
        return ResponseEntity.created(URI.create("/api/connect-sessions/" + session.id())).body(session);
    }

    @Operation(summary = "Make a reconnect session for a connection", description = """
            As a connect session, for the connection's tenant and provider: completing it keeps the connection's \
            id and restarts its chain. For a connection in REAUTH_REQUIRED, or one whose refresh token nears its \
            hard expiry. A QuickBooks reconnect must authorize the same company (realmId): another one ends with \
            error=realm_mismatch and changes nothing.""")
    @ApiResponse(responseCode = "201", description = "made; connectUrl is shown only here")
    @ApiResponse(responseCode = "400", description = "returnUrl or scopes invalid, or the provider takes no "
            + "connect sessions")
    @ApiResponse(responseCode = "404", description = "no such connection")
    @PostMapping("/api/connections/{id}/reconnect-session")
    ResponseEntity<ConnectSessionView> reconnect(@PathVariable UUID id, @RequestBody ReconnectSessionRequest request) {
        ConnectSessionView session = starter.reconnect(id, request);
        return ResponseEntity.created(URI.create("/api/connect-sessions/" + session.id())).body(session);
    }

    @Operation(summary = "Read a connect session", description = "Its status and outcome; never its link.")
    @ApiResponse(responseCode = "200", description = "the session")
    @ApiResponse(responseCode = "404", description = "no such session (or purged after refresher.connect.retention)")
    @GetMapping("/api/connect-sessions/{id}")
    ConnectSessionView find(@PathVariable UUID id) {
        return starter.find(id);
    }
}
