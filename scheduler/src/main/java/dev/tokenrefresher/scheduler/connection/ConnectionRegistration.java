package dev.tokenrefresher.scheduler.connection;

import dev.tokenrefresher.common.connection.ConnectionStore;
import dev.tokenrefresher.common.connection.NewConnection;
import dev.tokenrefresher.common.connection.Registered;
import dev.tokenrefresher.common.messaging.PublishFailedException;
import dev.tokenrefresher.common.messaging.RefreshMessage;
import dev.tokenrefresher.common.messaging.RefreshPublisher;
import dev.tokenrefresher.common.provider.ProviderRegistry;
import dev.tokenrefresher.common.provider.ProviderSettings;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * Registers a connection: stores it encrypted with its first due time, and after the commit publishes its first
 * delayed refresh message.
 */
@Service
public class ConnectionRegistration {

    private static final Logger log = LoggerFactory.getLogger(ConnectionRegistration.class);

    private final ProviderRegistry providers;
    private final ConnectionStore store;
    private final RefreshPublisher publisher;
    private final Validator validator;
    private final Clock clock;

    ConnectionRegistration(ProviderRegistry providers, ConnectionStore store, RefreshPublisher publisher,
            Validator validator, Clock clock) {
        this.validator = validator;
        this.providers = providers;
        this.store = store;
        this.publisher = publisher;
        this.clock = clock;
    }

    public Registered register(RegisterConnectionRequest request) {
        requireValid(request);
        ProviderSettings provider = providers.find(request.provider()).orElseThrow(
                () -> new InvalidFieldException("provider", "'" + request.provider()
                        + "' is not a configured provider; configured: " + providers.all().stream()
                                .map(ProviderSettings::name).toList()));
        Instant now = clock.instant();
        Instant obtainedAt = request.obtainedAt() == null ? now : request.obtainedAt();
        if (obtainedAt.isAfter(now.plus(Duration.ofMinutes(5)))) {
            throw new InvalidFieldException("obtainedAt", "lies in the future (" + obtainedAt + ")");
        }
        IssuedTokens tokens = IssuedTokens.of(request, provider);
        Duration accessLifetime = tokens.accessLifetime();
        Instant refreshExpiresAt = tokens.refreshLifetime() == null ? null : obtainedAt.plus(tokens.refreshLifetime());
        if (refreshExpiresAt != null && !refreshExpiresAt.isAfter(now)) {
            throw new InvalidFieldException(request.tokenResponse() != null
                    ? IssuedTokens.TOKEN_RESPONSE
                    : "refreshTokenExpiresIn",
                    "the refresh token expired at "
                            + refreshExpiresAt + "; the tenant must reconnect");
        }
        Instant due = provider.refreshDueAt(obtainedAt, accessLifetime);
        Instant nextRefreshAt = due.isBefore(now) ? now : due;
        Registered registered = store.register(new NewConnection(request.tenantId(), provider.name(),
                request.realmId(), tokens.accessToken(), tokens.refreshToken(), obtainedAt.plus(accessLifetime),
                accessLifetime, refreshExpiresAt, nextRefreshAt, tokens.refreshHardLifetime() == null
                        ? null
                        : obtainedAt.plus(tokens.refreshHardLifetime())),
                now);
        try {
            publisher.publish(provider.name(), new RefreshMessage(registered.id(), registered.fence(), nextRefreshAt,
                    0), now);
        } catch (PublishFailedException e) {
            // The row is committed with its due time: the reconciliation sweep enqueues it after the grace period.
            log.warn("{}; the reconciliation sweep will enqueue it", e.getMessage());
        }
        log.info("registered connection={} provider={} fence={} created={} nextRefreshAt={}", registered.id(),
                provider.name(), registered.fence(), registered.created(), nextRefreshAt);
        return registered;
    }

    /**
     * The bean constraints and the fields one of the two token shapes needs, checked together: one answer names every
     * bad field.
     */
    private void requireValid(RegisterConnectionRequest request) {
        List<InvalidFieldException.FieldProblem> problems = new ArrayList<>();
        for (ConstraintViolation<RegisterConnectionRequest> violation : validator.validate(request)) {
            problems.add(new InvalidFieldException.FieldProblem(violation.getPropertyPath().toString(), violation
                    .getMessage()));
        }
        IssuedTokens.missingSeparateFields(request).stream()
                .filter(missing -> problems.stream().noneMatch(p -> p.field().equals(missing.field())))
                .forEach(problems::add);
        if (!problems.isEmpty()) {
            problems.sort(Comparator.comparing(InvalidFieldException.FieldProblem::field));
            throw new InvalidFieldException(problems);
        }
    }
}
