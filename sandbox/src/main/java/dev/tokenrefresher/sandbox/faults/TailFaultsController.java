package dev.tokenrefresher.sandbox.faults;

import static dev.tokenrefresher.sandbox.faults.StrictBodies.badRequest;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Control API for the tail faults: which share of the connections hangs or answers slowly, and what each group's
 * connections went through. Every call answers with the tail in force afterwards and the groups' counts.
 */
@RestController
@RequestMapping("/sandbox/faults/tail")
class TailFaultsController {

    /** Which calls of a chosen connection are hit, unless the request says: every one. */
    static final int DEFAULT_EVERY_CALLS = 1;

    private final TailFaults tail;
    private final TailCensus census;
    private final StrictBodies bodies;

    TailFaultsController(TailFaults tail, TailCensus census, ObjectMapper mapper) {
        this.tail = tail;
        this.census = census;
        this.bodies = new StrictBodies(mapper);
    }

    @GetMapping
    TailView current() {
        return view();
    }

    /** Replaces the tail faults as a whole: a group left out is switched off. */
    @PutMapping
    TailView change(@RequestBody JsonNode body) {
        TailRequest request = bodies.read(body, TailRequest.class);
        try {
            tail.change(request.spec());
        } catch (InvalidFaultSetting e) {
            throw badRequest(e.getMessage());
        }
        return view();
    }

    @DeleteMapping
    TailView clear() {
        tail.clear();
        return view();
    }

    private TailView view() {
        TailSpec spec = tail.spec();
        Map<String, TailCensus.Count> groups = new LinkedHashMap<>();
        census.count().forEach((group, count) -> groups.put(group.jsonName(), count));
        return new TailView(spec.hang(), spec.slow(), spec.seed(), groups);
    }

    /** The body of {@code PUT /sandbox/faults/tail}; {@code everyCalls} and {@code seed} may be left out. */
    record TailRequest(HangRequest hang, SlowRequest slow, Long seed) {

        TailSpec spec() {
            return new TailSpec(hang == null ? null : hang.spec(), slow == null ? null : slow.spec(), seed == null
                    ? 0
                    : seed);
        }
    }

    record HangRequest(Double connectionShare, Integer everyCalls, Long millis) {

        TailSpec.Hang spec() {
            return new TailSpec.Hang(required("hang.connectionShare", connectionShare), everyCallsOrDefault(everyCalls),
                    required("hang.millis", millis));
        }
    }

    record SlowRequest(Double connectionShare, Integer everyCalls, Long minMillis, Long maxMillis) {

        TailSpec.Slow spec() {
            return new TailSpec.Slow(required("slow.connectionShare", connectionShare), everyCallsOrDefault(everyCalls),
                    required("slow.minMillis", minMillis), required("slow.maxMillis", maxMillis));
        }
    }

    private static int everyCallsOrDefault(Integer everyCalls) {
        return everyCalls == null ? DEFAULT_EVERY_CALLS : everyCalls;
    }

    private static <T> T required(String name, T value) {
        if (value == null) {
            throw new InvalidFaultSetting(name + " is required");
        }
        return value;
    }

    /**
     * The body of every {@code /sandbox/faults/tail} answer.
     *
     * @param hang null when no connection hangs
     * @param slow null when no connection is slow
     * @param groups {@code hang}, {@code slow} and {@code other}, each with its counts
     */
    record TailView(TailSpec.Hang hang, TailSpec.Slow slow, long seed, Map<String, TailCensus.Count> groups) {
    }
}
