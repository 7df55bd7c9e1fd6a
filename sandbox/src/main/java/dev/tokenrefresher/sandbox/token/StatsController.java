package dev.tokenrefresher.sandbox.token;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/sandbox")
class StatsController {

    private final TokenAuthority authority;

    StatsController(TokenAuthority authority) {
        this.authority = authority;
    }

    @GetMapping("/stats")
    SandboxStats stats() {
        return authority.stats();
    }

    /** Granted refreshes, cheap enough to poll several times a second (the stats walk every connection). */
    @GetMapping("/refreshes")
    RefreshCount refreshes() {
        return new RefreshCount(authority.refreshes());
    }

    record RefreshCount(long refreshes) {
    }

    @PostMapping("/reset")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void reset() {
        authority.reset();
    }
}
