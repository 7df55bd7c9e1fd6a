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

    @PostMapping("/reset")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void reset() {
        authority.reset();
    }
}
