package dev.tokenrefresher.scheduler.connect;

import dev.tokenrefresher.common.connection.ConnectionStatus;
import dev.tokenrefresher.common.connection.ConnectionStore;
import dev.tokenrefresher.common.connection.ConnectionView;
import dev.tokenrefresher.common.provider.ProviderRegistry;
import dev.tokenrefresher.common.provider.ProviderSettings;
import dev.tokenrefresher.scheduler.connection.ConnectionNotFoundException;
import dev.tokenrefresher.scheduler.connection.InvalidFieldException;
import dev.tokenrefresher.scheduler.connection.InvalidFieldException.FieldProblem;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/** Makes connect and reconnect sessions: checks the request, stores the session, and hands out its link once. */
@Service
class ConnectSessionStarter {

    private static final Logger log = LoggerFactory.getLogger(ConnectSessionStarter.class);
    /** RFC 6749 section 3.3: a scope token is printable ASCII without space, double quote and backslash. */
    private static final Pattern SCOPE_TOKEN = Pattern.compile("[\\x21\\x23-\\x5B\\x5D-\\x7E]+");

    private final ConnectSessions sessions;
    private final ProviderRegistry providers;
    private final ConnectionStore connections;
    private final ConnectProperties properties;
    private final ReturnUrls returnUrls;
    private final Secrets secrets;
    private final Validator validator;
    private final Clock clock;

    ConnectSessionStarter(ConnectSessions sessions, ProviderRegistry providers, ConnectionStore connections,
            ConnectProperties properties, Secrets secrets, Validator validator, Clock clock) {
        this.sessions = sessions;
        this.providers = providers;
        this.connections = connections;
        this.properties = properties;
        this.returnUrls = new ReturnUrls(properties.allowedReturnUrls());
        this.secrets = secrets;
        this.validator = validator;
        this.clock = clock;
    }

    ConnectSessionView connect(ConnectSessionRequest request) {
        List<FieldProblem> problems = violations(request);
        ProviderSettings provider = request.provider() == null ? null : connectable(request.provider(), problems);
        checkCommon(request.returnUrl(), request.scopes(), problems);
        throwIfAny(problems);
        return start(request.tenantId(), provider, null, request.returnUrl(), request.scopes());
    }

    ConnectSessionView reconnect(UUID connectionId, ReconnectSessionRequest request) {
        ConnectionView connection = connections.find(connectionId).orElseThrow(
                () -> new ConnectionNotFoundException(connectionId));
        List<FieldProblem> problems = violations(request);
        ProviderSettings provider = connectable(connection.provider(), problems);
        checkCommon(request.returnUrl(), request.scopes(), problems);
        throwIfAny(problems);
        if (connection.status() == ConnectionStatus.ACTIVE) {
            log.info("reconnect session for connection={}, which is ACTIVE: completing it replaces its tokens",
                    connectionId);
        }
        return start(connection.tenantId(), provider, connectionId, request.returnUrl(), request.scopes());
    }

    ConnectSessionView find(UUID id) {
        return sessions.find(id).map(session -> ConnectSessionView.of(session, null)).orElseThrow(
                () -> new ConnectSessionNotFoundException(id));
    }

    private ConnectSessionView start(String tenantId, ProviderSettings provider, UUID connectionId, String returnUrl,
            List<String> scopes) {
        Instant now = clock.instant();
        List<String> asked = scopes == null || scopes.isEmpty() ? provider.authorization().scopes() : scopes;
        ConnectSession session = new ConnectSession(UUID.randomUUID(), tenantId, provider.name(), connectionId,
                connectionId != null, returnUrl, asked, null, ConnectSession.Status.CREATED, null, now,
                now.plus(properties.sessionLifetime()), null, null);
        String linkSecret = secrets.next();
        sessions.insert(session, Secrets.hash(linkSecret));
        log.info("connect session={} made: provider={} reconnect={} connection={} expiresAt={}", session.id(),
                provider.name(), session.reconnect(), connectionId, session.expiresAt());
        return ConnectSessionView.of(session, properties.connectLink(linkSecret).toString());
    }

    private List<FieldProblem> violations(Object request) {
        List<FieldProblem> problems = new ArrayList<>();
        for (ConstraintViolation<Object> violation : validator.validate(request)) {
            problems.add(new FieldProblem(violation.getPropertyPath().toString(), violation.getMessage()));
        }
        return problems;
    }

    private ProviderSettings connectable(String name, List<FieldProblem> problems) {
        ProviderSettings provider = providers.find(name).orElse(null);
        if (provider == null) {
            problems.add(new FieldProblem("provider", "'" + name + "' is not a configured provider; configured: "
                    + providers.all().stream().map(ProviderSettings::name).toList()));
        } else if (!provider.authorization().configured()) {
            problems.add(new FieldProblem("provider", "'" + name + "' has no authorization-uri configured "
                    + "(refresher.providers." + name + ".authorization-uri): it takes no connect sessions"));
        }
        return provider;
    }

    private void checkCommon(String returnUrl, List<String> scopes, List<FieldProblem> problems) {
        if (returnUrl != null && !returnUrl.isBlank()) {
            returnUrls.refusal(returnUrl).ifPresent(problem -> problems.add(new FieldProblem("returnUrl", problem)));
        }
        if (scopes != null) {
            for (int i = 0; i < scopes.size(); i++) {
                String scope = scopes.get(i);
                if (scope != null && !scope.isBlank() && !SCOPE_TOKEN.matcher(scope).matches()) {
                    problems.add(new FieldProblem("scopes[" + i + "]", "must be one scope token: printable ASCII "
                            + "without spaces, quotes or backslashes (RFC 6749 section 3.3)"));
                }
            }
        }
    }

    private static void throwIfAny(List<FieldProblem> problems) {
        if (!problems.isEmpty()) {
            problems.sort(Comparator.comparing(FieldProblem::field));
            throw new InvalidFieldException(problems);
        }
    }
}
