package dev.tokenrefresher.scheduler.web;

import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.tokenrefresher.common.connection.ConcurrentRegistrationException;
import dev.tokenrefresher.scheduler.connection.ConnectionNotFoundException;
import dev.tokenrefresher.scheduler.connection.InvalidRegistrationException;
import dev.tokenrefresher.scheduler.deadletter.ReplayScopeMissingException;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

/**
 * Turns errors into RFC 9457 problem details. A 400 names every bad field in {@code errors}; no response ever echoes a
 * submitted value, since it might be a token.
 */
@RestControllerAdvice
class ApiErrors {

    record FieldError(String field, String message) {
    }

    @ExceptionHandler(MethodArgumentNotValidException.class)
    ProblemDetail invalidFields(MethodArgumentNotValidException e) {
        List<FieldError> errors = e.getBindingResult().getFieldErrors().stream()
                .map(error -> new FieldError(error.getField(), error.getDefaultMessage()))
                .sorted((a, b) -> a.field().compareTo(b.field()))
                .toList();
        return badRequest("invalid fields: " + errors.stream().map(FieldError::field).distinct().toList(), errors);
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ProblemDetail unreadable(HttpMessageNotReadableException e) {
        if (e.getCause() instanceof MismatchedInputException mismatch && !mismatch.getPath().isEmpty()) {
            String field = mismatch.getPath().stream()
                    .map(reference -> reference.getFieldName() != null
                            ? reference.getFieldName()
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

    @ExceptionHandler(InvalidRegistrationException.class)
    ProblemDetail invalidRegistration(InvalidRegistrationException e) {
        return badRequest(e.getMessage(), List.of(new FieldError(e.field(), e.problem())));
    }

    @ExceptionHandler(ReplayScopeMissingException.class)
    ProblemDetail replayScopeMissing(ReplayScopeMissingException e) {
        return badRequest(e.getMessage(), List.of(new FieldError("ids", "or a filter, or \"all\": true, is required")));
    }

    @ExceptionHandler(HandlerMethodValidationException.class)
    ProblemDetail invalidParameters(HandlerMethodValidationException e) {
        List<FieldError> errors = e.getParameterValidationResults().stream()
                .flatMap(result -> result.getResolvableErrors().stream()
                        .map(error -> new FieldError(result.getMethodParameter().getParameterName(), error
                                .getDefaultMessage())))
                .toList();
        return badRequest("invalid parameters: " + errors.stream().map(FieldError::field).distinct().toList(),
                errors);
    }

    @ExceptionHandler(ConnectionNotFoundException.class)
    ProblemDetail notFound(ConnectionNotFoundException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, e.getMessage());
        problem.setProperty("connectionId", e.connectionId());
        return problem;
    }

    @ExceptionHandler(ConcurrentRegistrationException.class)
    ProblemDetail conflict(ConcurrentRegistrationException e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, e.getMessage());
    }

    private static ProblemDetail badRequest(String detail, List<FieldError> errors) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail);
        problem.setProperties(Map.of("errors", errors));
        return problem;
    }
}
