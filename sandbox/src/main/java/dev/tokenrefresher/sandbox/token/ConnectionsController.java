package dev.tokenrefresher.sandbox.token;

import java.util.List;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * Control API for connections. Minting is the only place besides the token endpoint where tokens leave the sandbox: it
 * plays the authorization-code exchange.
 */
@RestController
@RequestMapping("/sandbox/connections")
class ConnectionsController {

    static final int MAX_MINT_COUNT = 10_000;

    private final TokenAuthority authority;

    ConnectionsController(TokenAuthority authority) {
        this.authority = authority;
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    List<MintedConnection> mint(@RequestParam(defaultValue = "1") int count) {
        if (count < 1 || count > MAX_MINT_COUNT) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
                    "count must be between 1 and " + MAX_MINT_COUNT + ", was " + count);
        }
        return authority.mint(count);
    }

    @PostMapping("/{realmId}/revoke")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void revoke(@PathVariable String realmId) {
        if (!authority.revoke(realmId)) {
            throw unknown(realmId);
        }
    }

    @GetMapping("/{realmId}")
    ConnectionReport report(@PathVariable String realmId) {
        return authority.report(realmId).orElseThrow(() -> unknown(realmId));
    }

    @GetMapping
    List<ConnectionReport> reports() {
        return authority.reports();
    }

    private static ResponseStatusException unknown(String realmId) {
        return new ResponseStatusException(HttpStatus.NOT_FOUND, "no connection with realmId " + realmId);
    }
}
