package dev.tokenrefresher.scheduler.token;

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
