package dev.tokenrefresher.scheduler.web;

import dev.tokenrefresher.common.RefresherException;
import dev.tokenrefresher.common.connection.ConcurrentRegistrationException;
import dev.tokenrefresher.common.crypto.TokenDecryptionException;
import dev.tokenrefresher.common.keys.UndecryptableConnections;
import dev.tokenrefresher.scheduler.connect.ConnectSessionNotFoundException;
import dev.tokenrefresher.scheduler.connection.ConnectionNotActiveException;
import dev.tokenrefresher.scheduler.connection.ConnectionNotFoundException;
import dev.tokenrefresher.scheduler.connection.InvalidFieldException;
import dev.tokenrefresher.scheduler.deadletter.DeadLetterNotFoundException;
import dev.tokenrefresher.scheduler.deadletter.PurgeScopeMissingException;
import dev.tokenrefresher.scheduler.deadletter.ReplayScopeMissingException;
import dev.tokenrefresher.scheduler.keys.UndecryptableConnectionException;
import dev.tokenrefresher.scheduler.token.AccessTokenUnavailableException;
import dev.tokenrefresher.scheduler.token.MinValidityTooLongException;
import dev.tokenrefresher.scheduler.token.ProviderCircuitOpenException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.databind.exc.MismatchedInputException;

/**
 * Turns every error into an RFC 9457 problem document ({@code application/problem+json}): ours, Spring MVC's own (415
 * for a wrong content type, 405, 404 for an unknown path, through {@link ResponseEntityExceptionHandler}), and any
 * unexpected exception (a 500 with a reference to the log line, never a stack trace). A 400 names every bad field in
 * {@code errors}; no response ever echoes a submitted value, since it might be a token.
 */
@RestControllerAdvice
class ApiErrors extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiErrors.class);

    /** What a 503 suggests when the provider did not say. */
    static final long DEFAULT_RETRY_AFTER_SECONDS = 5;

    record FieldError(String field, String message) {
    }

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException e,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<FieldError> errors = e.getBindingResult().getFieldErrors().stream()
                .map(error -> new FieldError(error.getField(), error.getDefaultMessage()))
                .sorted((a, b) -> a.field().compareTo(b.field()))
                .toList();
        return answer(badRequest("invalid fields: " + errors.stream().map(FieldError::field).distinct().toList(),
                errors));
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException e,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        return answer(unreadable(e));
    }

    private static ProblemDetail unreadable(HttpMessageNotReadableException e) {
        if (e.getCause() instanceof MismatchedInputException mismatch && mismatch.getPath().isEmpty()) {
            // valid JSON of the wrong shape, e.g. [] or "text" where an object is expected
            return badRequest("the request body must be a JSON object", List.of(new FieldError("body",
                    "must be a JSON object")));
        }
        if (e.getCause() == null && e.getMessage() != null && e.getMessage().startsWith("Required request body")) {
            return badRequest("the request body is missing", List.of(new FieldError("body", "is required")));
        }
        if (e.getCause() instanceof MismatchedInputException mismatch) {
            String field = mismatch.getPath().stream()
                    .map(reference -> reference.getPropertyName() != null
                            ? reference.getPropertyName()
                            : "[" + reference.getIndex() + "]")
                    .reduce((a, b) -> b.startsWith("[") ? a + b : a + "." + b)
                    .orElse("body");
            String type = mismatch.getTargetType() == null ? "value" : mismatch.getTargetType().getSimpleName();
            return badRequest("invalid field: " + field, List.of(new FieldError(field, "must be a valid " + type)));
        }
        return badRequest("the request body is not valid JSON", List.of(new FieldError("body",
                "is not valid JSON")));
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ProblemDetail badPathOrParameter(MethodArgumentTypeMismatchException e) {
        String type = e.getRequiredType() == null ? "value" : e.getRequiredType().getSimpleName();
        return badRequest("invalid parameter: " + e.getName(), List.of(new FieldError(e.getName(), "must be a valid "
                + type)));
    }

    @ExceptionHandler(InvalidFieldException.class)
    ProblemDetail invalidRegistration(InvalidFieldException e) {
        return badRequest(e.getMessage(), e.problems().stream().map(p -> new FieldError(p.field(), p.problem()))
                .toList());
    }

    @ExceptionHandler(ReplayScopeMissingException.class)
    ProblemDetail replayScopeMissing(ReplayScopeMissingException e) {
        return badRequest(e.getMessage(), List.of(new FieldError("ids", "or a filter, or \"all\": true, is required")));
    }

    @Override
    protected ResponseEntity<Object> handleHandlerMethodValidationException(HandlerMethodValidationException e,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<FieldError> errors = e.getParameterValidationResults().stream()
                .flatMap(result -> result.getResolvableErrors().stream()
                        .map(error -> new FieldError(result.getMethodParameter().getParameterName(), error
                                .getDefaultMessage())))
                .toList();
        return answer(badRequest("invalid parameters: " + errors.stream().map(FieldError::field).distinct()
                .toList(), errors));
    }

    @ExceptionHandler(ConnectionNotFoundException.class)
    ProblemDetail notFound(ConnectionNotFoundException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, e.getMessage());
        problem.setProperty("connectionId", e.connectionId());
        return problem;
    }

    @ExceptionHandler(ConnectSessionNotFoundException.class)
    ProblemDetail connectSessionNotFound(ConnectSessionNotFoundException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, e.getMessage());
        problem.setProperty("connectSessionId", e.sessionId());
        return problem;
    }

    @Override
    protected ResponseEntity<Object> handleMissingServletRequestParameter(MissingServletRequestParameterException e,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        return answer(badRequest("missing parameter: " + e.getParameterName(), List.of(new FieldError(e
                .getParameterName(), "is required"))));
    }

    @ExceptionHandler(PurgeScopeMissingException.class)
    ProblemDetail purgeScopeMissing(PurgeScopeMissingException e) {
        return badRequest(e.getMessage(), List.of(new FieldError("reason", "or provider, connectionId or since, is "
                + "required")));
    }

    @ExceptionHandler(MinValidityTooLongException.class)
    ProblemDetail minValidityTooLong(MinValidityTooLongException e) {
        return badRequest(e.getMessage(), List.of(new FieldError("minValiditySeconds", "is longer than the "
                + "provider's access tokens live")));
    }

    @ExceptionHandler(DeadLetterNotFoundException.class)
    ProblemDetail deadLetterNotFound(DeadLetterNotFoundException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, e.getMessage());
        problem.setProperty("deadLetterId", e.deadLetterId());
        return problem;
    }

    /** 409: the connection exists, but its state does not allow the operation (the tenant must reconnect). */
    @ExceptionHandler(ConnectionNotActiveException.class)
    ProblemDetail notActive(ConnectionNotActiveException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, e.getMessage());
        problem.setProperty("connectionId", e.connectionId());
        problem.setProperty("status", e.status());
        return problem;
    }

    /**
     * 503 with {@code Retry-After} when the provider failed or a refresh took too long; 502 when the provider refused
     * the app's credentials (retrying will not help until the configuration is fixed).
     */
    @ExceptionHandler(AccessTokenUnavailableException.class)
    ResponseEntity<ProblemDetail> tokenUnavailable(AccessTokenUnavailableException e) {
        HttpStatus status = e.providerRejected() ? HttpStatus.BAD_GATEWAY : HttpStatus.SERVICE_UNAVAILABLE;
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, e.getMessage());
        problem.setProperty("connectionId", e.connectionId());
        problem.setProperty("provider", e.provider());
        problem.setProperty("errorCode", e.errorCode());
        ResponseEntity.BodyBuilder response = ResponseEntity.status(status);
        if (!e.providerRejected()) {
            // rounded up: a caller told to come back after a quiet period must not come back before it ends
            long seconds = e.retryAfter() == null
                    ? DEFAULT_RETRY_AFTER_SECONDS
                    : Math.max(1, (e.retryAfter().toMillis() + 999) / 1000);
            response.header(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
        }
        return response.body(problem);
    }

    /**
     * 500 with {@code errorCode} {@code undecryptable}: the connection's stored tokens open with no configured key (a
     * key removed too early, or a changed value). Not the caller's fault, and asking again will not help until an
     * operator acts; the message names the connection, the column and the key id, never a value.
     */
    @ExceptionHandler({TokenDecryptionException.class, UndecryptableConnectionException.class})
    ProblemDetail undecryptable(RefresherException e) {
        log.warn("answered 500 undecryptable: {}", e.getMessage());
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR, e.getMessage());
        problem.setProperty("errorCode", UndecryptableConnections.REASON);
        if (e instanceof UndecryptableConnectionException parked) {
            problem.setProperty("connectionId", parked.connectionId());
        }
        return problem;
    }

    /**
     * 503 as for any provider failure, naming the breaker's state ({@code OPEN}, {@code FORCED_OPEN}, or
     * {@code HALF_OPEN} with its probes taken); {@code Retry-After} says when the breaker lets a probe call through.
     */
    @ExceptionHandler(ProviderCircuitOpenException.class)
    ResponseEntity<ProblemDetail> circuitOpen(ProviderCircuitOpenException e) {
        ResponseEntity<ProblemDetail> response = tokenUnavailable(e);
        response.getBody().setProperty("circuitBreakerState", e.circuitBreakerState().name());
        return response;
    }

    @ExceptionHandler(ConcurrentRegistrationException.class)
    ProblemDetail conflict(ConcurrentRegistrationException e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, e.getMessage());
    }

    /**
     * Anything else is a defect: the caller gets a 500 problem with a reference, the log gets the exception under the
     * same reference. Our exceptions never hold a secret, so the log line may show it; the answer never does.
     */
    @ExceptionHandler(Exception.class)
    ProblemDetail unexpected(Exception e) {
        String reference = UUID.randomUUID().toString();
        log.error("unexpected error, reference {}", reference, e);
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR,
                "an unexpected error occurred; the scheduler's log has it under reference " + reference);
        problem.setProperty("reference", reference);
        return problem;
    }

    private static ResponseEntity<Object> answer(ProblemDetail problem) {
        return ResponseEntity.status(problem.getStatus()).body(problem);
    }

    private static ProblemDetail badRequest(String detail, List<FieldError> errors) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail);
        problem.setProperties(Map.of("errors", errors));
        return problem;
    }
}
