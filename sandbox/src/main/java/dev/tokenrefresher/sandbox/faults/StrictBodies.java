package dev.tokenrefresher.sandbox.faults;

import java.util.stream.Collectors;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * Reads the fault control API's request bodies strictly: a misspelt field must not pass silently, or a test would
 * believe it had switched on a fault it had not. Every problem becomes a 400 whose detail names the field.
 */
final class StrictBodies {

    private final ObjectReader strictReader;

    StrictBodies(ObjectMapper mapper) {
        this.strictReader = mapper.reader().with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    <T> T read(JsonNode body, Class<T> type) {
        T value;
        try {
            value = strictReader.treeToValue(body, type);
        } catch (UnrecognizedPropertyException e) {
            throw badRequest("unknown field " + e.getPropertyName() + "; known fields: "
                    + e.getKnownPropertyIds().stream().map(Object::toString).sorted()
                            .collect(Collectors.joining(", ")));
        } catch (DatabindException e) {
            throw badRequest("cannot read " + path(e) + ": " + e.getOriginalMessage());
        } catch (JacksonException e) {
            throw badRequest("cannot read the body: " + e.getOriginalMessage());
        }
        if (value == null) {
            throw badRequest("the body must be a JSON object");
        }
        return value;
    }

    static ResponseStatusException badRequest(String detail) {
        return new ResponseStatusException(HttpStatus.BAD_REQUEST, detail);
    }

    private static String path(DatabindException e) {
        return e.getPath()
                .stream()
                .map(reference -> reference.getPropertyName() != null
                        ? reference.getPropertyName()
                        : "[" + reference.getIndex() + "]")
                .collect(Collectors.joining("."));
    }
}
