package dev.tokenrefresher.scheduler.token;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;
import java.util.UUID;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Host apps read fresh access tokens here (role {@code token-reader}). */
@Tag(name = "Access tokens", description = "Fresh access tokens for host apps (role token-reader).")
@RestController
class AccessTokenController {

    /** A day: longer than any access token we know of lives. */
    static final long MAX_MIN_VALIDITY_SECONDS = 24 * 3600;

    private final OnDemandRefresh refresh;

    AccessTokenController(OnDemandRefresh refresh) {
        this.refresh = refresh;
    }

    /**
     * An access token valid for at least {@code minValiditySeconds} (default {@code refresher.access-token.
     * default-min-validity}, 5 minutes, or half the token's life if shorter), refreshed first if need be. Never cached
     * on the way ({@code no-store}).
     */
    @Operation(summary = "Get a fresh access token", description = """
            An access token valid for at least minValiditySeconds (default: 5 minutes, or half the token's life if \
            that is shorter), refreshed first if need be, single-flight with the workers. A validity the provider's \
            tokens cannot have is refused before any provider call. While the provider's circuit breaker is open, a \
            call that needs a refresh is answered 503 without calling the provider; a token still valid enough is \
            answered from the store. One call refreshes at most once; \
            minValidityMet=false marks a token issued during the call that still falls short. Never cached \
            (Cache-Control: no-store).""")
    @ApiResponse(responseCode = "200", description = "the token")
    @ApiResponse(responseCode = "400", description = "minValiditySeconds is invalid or longer than the provider's "
            + "tokens live")
    @ApiResponse(responseCode = "404", description = "no connection has this id")
    @ApiResponse(responseCode = "409", description = "the connection needs re-authorization or was disconnected; "
            + "status says which")
    @ApiResponse(responseCode = "502", description = "the provider refused the app's client credentials")
    @ApiResponse(responseCode = "503", description = "the provider failed, its circuit breaker is open after repeated "
            + "failures (errorCode circuit_open, circuitBreakerState; the provider was not called), or a refresh took "
            + "too long; Retry-After says when to try again")
    @GetMapping("/api/connections/{id}/access-token")
    ResponseEntity<AccessToken> accessToken(@PathVariable UUID id,
            @RequestParam(required = false) @Min(0) @Max(MAX_MIN_VALIDITY_SECONDS) Long minValiditySeconds) {
        Duration minValidity = minValiditySeconds == null ? null : Duration.ofSeconds(minValiditySeconds);
        return ResponseEntity.ok()
                .cacheControl(CacheControl.noStore())
                .header(HttpHeaders.PRAGMA, "no-cache")
                .body(refresh.accessToken(id, minValidity));
    }
}
