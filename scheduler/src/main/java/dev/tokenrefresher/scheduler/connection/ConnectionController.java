package dev.tokenrefresher.scheduler.connection;

import dev.tokenrefresher.common.connection.ConnectionStore;
import dev.tokenrefresher.common.connection.ConnectionView;
import dev.tokenrefresher.common.connection.Registered;
import java.net.URI;
import java.util.UUID;
import org.springframework.http.ResponseEntity;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Registering and reading connections. */
@RestController
@RequestMapping("/api/connections")
class ConnectionController {

    private final ConnectionRegistration registration;
    private final ConnectionStore store;

    ConnectionController(ConnectionRegistration registration, ConnectionStore store) {
        this.registration = registration;
        this.store = store;
    }

    /** 201 for a new connection, 200 for a reconnect of an existing one; the body never holds a token. */
    @PostMapping
    ResponseEntity<ConnectionView> register(@Validated @RequestBody RegisterConnectionRequest request) {
        Registered registered = registration.register(request);
        ConnectionView body = store.find(registered.id())
                .orElseThrow(() -> new ConnectionNotFoundException(registered.id()));
        return registered.created()
                ? ResponseEntity.created(URI.create("/api/connections/" + registered.id())).body(body)
                : ResponseEntity.ok(body);
    }

    @GetMapping("/{id}")
    ConnectionView get(@PathVariable UUID id) {
        return store.find(id).orElseThrow(() -> new ConnectionNotFoundException(id));
    }
}
