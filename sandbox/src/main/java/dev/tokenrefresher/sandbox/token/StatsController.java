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

    private final SandboxCounters counters;
    private final SandboxReset sandboxReset;

    StatsController(SandboxCounters counters, SandboxReset sandboxReset) {
        this.counters = counters;
        this.sandboxReset = sandboxReset;
    }

    @GetMapping("/stats")
    SandboxStats stats() {
        return counters.stats();
    }

    /** Granted refreshes, cheap enough to poll several times a second (the stats walk every connection). */
    @GetMapping("/refreshes")
    RefreshCount refreshes() {
        return new RefreshCount(counters.refreshes());
    }

    record RefreshCount(long refreshes) {
    }

    @PostMapping("/reset")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void reset() {
        sandboxReset.reset();
    }
}
