package dev.tokenrefresher.scheduler.connection;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.tokenrefresher.common.connection.AttemptRecord;
import dev.tokenrefresher.common.connection.ConnectionQueries;
import dev.tokenrefresher.common.connection.ConnectionStatus;
import dev.tokenrefresher.common.connection.ConnectionStore;
import dev.tokenrefresher.common.connection.ConnectionView;
import dev.tokenrefresher.common.connection.Registered;
import dev.tokenrefresher.common.provider.ProviderRegistry;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Registering, reading, listing, refreshing and disconnecting connections. No response holds a token. */
@Tag(name = "Connections", description = "Register, inspect, list, refresh and disconnect OAuth2 connections "
        + "(role admin). No answer holds a token.")
@RestController
@RequestMapping("/api/connections")
class ConnectionController {

    private static final int RECENT_ATTEMPTS = 10;
    /** Ten years: beyond any refresh token's life, so a longer window is a typo. */
    private static final Duration MAX_REAUTH_DUE_WITHIN = Duration.ofDays(3650);

    private final ConnectionRegistration registration;
    private final ConnectionLifecycle lifecycle;
    private final ConnectionStore store;
    private final ConnectionQueries queries;
    private final ProviderRegistry providers;

    ConnectionController(ConnectionRegistration registration, ConnectionLifecycle lifecycle, ConnectionStore store,
            ConnectionQueries queries, ProviderRegistry providers) {
        this.registration = registration;
        this.lifecycle = lifecycle;
        this.store = store;
        this.queries = queries;
        this.providers = providers;
    }

    /**
     * 201 for a new connection, 200 for a reconnect of an existing one; the body never holds a token. The request is
     * validated by the registration, so that the bean constraints and the token shape's fields are named together.
     */
    @Operation(summary = "Register a connection", description = """
            Hands over the tokens the provider issued when the tenant connected: either tokenResponse, the token \
            endpoint's JSON answer as it came, or accessToken, refreshToken and expiresIn (with the optional \
            refresh-token lifetimes). Registering the same tenant and provider again is a reconnect. The first \
            refresh is scheduled at once.""")
    @ApiResponse(responseCode = "201", description = "registered; Location names the new connection")
    @ApiResponse(responseCode = "200", description = "a reconnect: the existing connection has the new tokens")
    @ApiResponse(responseCode = "400", description = "a field is missing or invalid, or the refresh token expired; "
            + "errors names each field")
    @ApiResponse(responseCode = "409", description = "a concurrent registration of the same tenant and provider won")
    @PostMapping
    ResponseEntity<ConnectionView> register(@RequestBody RegisterConnectionRequest request) {
        Registered registered = registration.register(request);
        ConnectionView body = store.find(registered.id())
                .orElseThrow(() -> new ConnectionNotFoundException(registered.id()));
        return registered.created()
                ? ResponseEntity.created(URI.create("/api/connections/" + registered.id())).body(body)
                : ResponseEntity.ok(body);
    }

    /** A provider call as operators see it. */
    record AttemptView(Instant attemptedAt, String outcome, Integer httpStatus, String errorCode, long durationMs,
            String worker) {

        static AttemptView of(AttemptRecord attempt) {
            return new AttemptView(attempt.attemptedAt(), attempt.outcome().name(), attempt.httpStatus(), attempt
                    .errorCode(), attempt.duration().toMillis(), attempt.worker());
        }
    }

    /** A connection with its latest provider calls, newest first. */
    record ConnectionDetails(@JsonUnwrapped ConnectionView connection, List<AttemptView> recentAttempts) {
    }

    @Operation(summary = "Show a connection", description = "Its state, times and latest provider calls (newest "
            + "first); never a token.")
    @ApiResponse(responseCode = "200", description = "the connection")
    @ApiResponse(responseCode = "404", description = "no connection has this id")
    @GetMapping("/{id}")
    ConnectionDetails get(@PathVariable UUID id) {
        ConnectionView connection = store.find(id).orElseThrow(() -> new ConnectionNotFoundException(id));
        return new ConnectionDetails(connection, queries.recentAttempts(id, RECENT_ATTEMPTS).stream()
                .map(AttemptView::of).toList());
    }

    /** @param nextCursor pass as {@code after} for the next page; {@code null} on the last page */
    record Page(List<ConnectionView> items, UUID nextCursor) {
    }

    @Operation(summary = "List connections", description = "In id order, filtered by provider, status and tenant, "
            + "or to the ACTIVE connections whose refresh token dies (the earlier of its expiry and its hard cap) "
            + "within reauthDueWithin (an ISO-8601 duration, e.g. P30D): the tenants to ask to reconnect; page with "
            + "nextCursor as after.")
    @ApiResponse(responseCode = "200", description = "one page of connections")
    @ApiResponse(responseCode = "400", description = "an unknown provider or an invalid parameter, by name")
    @GetMapping
    Page list(@RequestParam(required = false) @Size(max = 64) String provider,
            @RequestParam(required = false) ConnectionStatus status,
            @RequestParam(required = false) @Size(max = 200) String tenantId,
            @RequestParam(required = false) Duration reauthDueWithin,
            @RequestParam(required = false) UUID after,
            @RequestParam(defaultValue = "100") @Min(1) @Max(1000) int limit) {
        if (provider != null && providers.find(provider).isEmpty()) {
            throw new InvalidFieldException("provider", "'" + provider + "' is not a configured provider");
        }
        if (reauthDueWithin != null && (reauthDueWithin.isNegative() || reauthDueWithin.compareTo(
                MAX_REAUTH_DUE_WITHIN) > 0)) {
            throw new InvalidFieldException("reauthDueWithin", "must be between P0D and P3650D");
        }
        List<ConnectionView> items = queries.list(new ConnectionQueries.Filter(provider, status, tenantId,
                reauthDueWithin), after,
                limit);
        return new Page(items, items.size() == limit ? items.getLast().id() : null);
    }

    /** 202: the refresh happens asynchronously, through a worker. */
    @Operation(summary = "Refresh a connection now", description = "Makes an ACTIVE connection due now: a worker "
            + "refreshes it shortly. Asynchronous; GET the connection to see the result.")
    @ApiResponse(responseCode = "202", description = "scheduled")
    @ApiResponse(responseCode = "404", description = "no connection has this id")
    @ApiResponse(responseCode = "409", description = "the connection is not ACTIVE, or is being refreshed right now")
    @PostMapping("/{id}/refresh")
    ResponseEntity<ConnectionLifecycle.RefreshRequested> refreshNow(@PathVariable UUID id) {
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(lifecycle.refreshNow(id));
    }

    /**
     * Stops the chain and erases the tokens; {@code revoke=true} also revokes the refresh token at the provider.
     * Disconnecting twice is harmless.
     */
    @Operation(summary = "Disconnect a connection", description = "Stops its refreshes and erases its tokens; "
            + "revoke=true also revokes the refresh token at the provider. Disconnecting twice is harmless.")
    @ApiResponse(responseCode = "200", description = "disconnected; says whether the revocation succeeded")
    @ApiResponse(responseCode = "404", description = "no connection has this id")
    @DeleteMapping("/{id}")
    ConnectionLifecycle.DisconnectResult disconnect(@PathVariable UUID id,
            @RequestParam(defaultValue = "false") boolean revoke) {
        store.find(id).orElseThrow(() -> new ConnectionNotFoundException(id));
        return lifecycle.disconnect(id, revoke);
    }
}
