package dev.tokenrefresher.sandbox.faults;

import static dev.tokenrefresher.sandbox.faults.StrictBodies.badRequest;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Control API for the token endpoint's faults. Every call answers with the faults in force afterwards, so a test can
 * check what it switched on.
 */
@RestController
@RequestMapping("/sandbox/faults")
class FaultsController {

    static final long MAX_OUTAGE_SECONDS = FaultLimits.MAX_DELAY.toSeconds();
    static final int MAX_NEXT_REQUESTS = 1000;

    private final FaultInjector faults;
    private final OddAnswers oddAnswers;
    private final AfterRotationFaults afterRotation;
    private final KnownRealms realms;
    private final Clock clock;
    private final StrictBodies bodies;
    private final TailFaults tail;

    FaultsController(FaultInjector faults, OddAnswers oddAnswers, AfterRotationFaults afterRotation,
            KnownRealms realms, TailFaults tail, Clock clock, ObjectMapper mapper) {
        this.faults = faults;
        this.oddAnswers = oddAnswers;
        this.afterRotation = afterRotation;
        this.realms = realms;
        this.tail = tail;
        this.clock = clock;
        this.bodies = new StrictBodies(mapper);
    }

    @GetMapping
    FaultsView current() {
        return view();
    }

    @PutMapping
    FaultsView change(@RequestBody JsonNode body) {
        FaultChange change = bodies.read(body, FaultChange.class);
        try {
            faults.change(change);
        } catch (InvalidFaultSetting e) {
            throw badRequest(e.getMessage());
        }
        return view();
    }

    @DeleteMapping
    FaultsView clear() {
        faults.clear();
        oddAnswers.clear();
        afterRotation.clear();
        tail.clear();
        return view();
    }

    @PostMapping("/outage")
    FaultsView startOutage(@RequestBody JsonNode body) {
        OutageRequest request = bodies.read(body, OutageRequest.class);
        if (request.seconds() == null) {
            throw badRequest("seconds is required: how long the outage lasts");
        }
        if (request.seconds() < 1 || request.seconds() > MAX_OUTAGE_SECONDS) {
            throw badRequest("seconds must be between 1 and " + MAX_OUTAGE_SECONDS + ", was " + request.seconds());
        }
        int status = request.status() == null ? FaultInjector.DEFAULT_OUTAGE_STATUS : request.status();
        try {
            faults.startOutage(Duration.ofSeconds(request.seconds()), status);
        } catch (InvalidFaultSetting e) {
            throw badRequest(e.getMessage());
        }
        return view();
    }

    /** The body of {@code POST /sandbox/faults/next}. */
    record NextRequest(Integer requests, Integer status, Long retryAfterSeconds, Long stallBodyMillis) {
    }

    /**
     * The next {@code requests} token requests (default 1) fail with {@code status} (default 503), or, with
     * {@code stallBodyMillis}, answer 200 headers at once and hold the body that long.
     */
    @PostMapping("/next")
    FaultsView failNext(@RequestBody JsonNode body) {
        NextRequest request = bodies.read(body, NextRequest.class);
        int requests = request.requests() == null ? 1 : request.requests();
        if (requests < 1 || requests > MAX_NEXT_REQUESTS) {
            throw badRequest("requests must be between 1 and " + MAX_NEXT_REQUESTS + ", was " + requests);
        }
        long retryAfter = request.retryAfterSeconds() == null ? 1 : request.retryAfterSeconds();
        long stall = request.stallBodyMillis() == null ? 0 : request.stallBodyMillis();
        try {
            FaultLimits.notNegative("retryAfterSeconds", retryAfter);
            FaultLimits.delayMillis("stallBodyMillis", stall);
            faults.failNext(requests, request.status() == null
                    ? FaultInjector.DEFAULT_OUTAGE_STATUS
                    : request.status(), retryAfter, Duration.ofMillis(stall));
        } catch (InvalidFaultSetting e) {
            throw badRequest(e.getMessage());
        }
        return view();
    }

    /** The body of {@code POST /sandbox/faults/odd-answers}. */
    record OddAnswersRequest(List<OddAnswers.Shape> shapes) {
    }

    /** The next successful refreshes, one per shape, rotate the token and answer it oddly rendered. */
    @PostMapping("/odd-answers")
    FaultsView oddAnswers(@RequestBody JsonNode body) {
        OddAnswersRequest request = bodies.read(body, OddAnswersRequest.class);
        if (request.shapes() == null || request.shapes().isEmpty() || request.shapes().size() > MAX_NEXT_REQUESTS) {
            throw badRequest("shapes must list 1 to " + MAX_NEXT_REQUESTS + " of " + List.of(OddAnswers.Shape
                    .values()));
        }
        oddAnswers.queue(request.shapes());
        return view();
    }

    /**
     * The body of {@code POST /sandbox/faults/after-rotation}.
     *
     * @param kind
     *            {@code reset}, {@code server_error}, {@code truncated} or {@code stall}; required
     * @param calls
     *            how many granted refreshes lose their answer, 1 to {@value #MAX_NEXT_REQUESTS}; default 1
     * @param realmId
     *            only refreshes of this connection; null for any connection
     * @param stallMillis
     *            for {@code stall} (and only for it): how long the body is held before the cut, 1 ms to a day
     */
    record AfterRotationRequest(String kind, Integer calls, String realmId, Long stallMillis) {
    }

    /**
     * The next granted refreshes (of one connection, or of any) rotate the refresh token and then lose the answer: the
     * client's token is spent, the new one never reaches it.
     */
    @PostMapping("/after-rotation")
    FaultsView afterRotation(@RequestBody JsonNode body) {
        AfterRotationRequest request = bodies.read(body, AfterRotationRequest.class);
        List<String> kinds = Arrays.stream(AfterRotationFault.Kind.values())
                .map(AfterRotationFault.Kind::jsonName)
                .toList();
        if (request.kind() == null) {
            throw badRequest("kind is required: one of " + kinds);
        }
        AfterRotationFault.Kind kind = AfterRotationFault.Kind.named(request.kind())
                .orElseThrow(() -> badRequest("kind must be one of " + kinds + ", was " + request.kind()));
        int calls = request.calls() == null ? 1 : request.calls();
        if (calls < 1 || calls > MAX_NEXT_REQUESTS) {
            throw badRequest("calls must be between 1 and " + MAX_NEXT_REQUESTS + ", was " + calls);
        }
        if (request.realmId() != null && !realms.exists(request.realmId())) {
            throw badRequest("realmId names no connection: " + request.realmId());
        }
        Duration stall = Duration.ZERO;
        if (kind == AfterRotationFault.Kind.STALL) {
            if (request.stallMillis() == null || request.stallMillis() < 1) {
                throw badRequest("stallMillis is required for kind stall, at least 1, was " + request
                        .stallMillis());
            }
            try {
                stall = Duration.ofMillis(FaultLimits.delayMillis("stallMillis", request.stallMillis()));
            } catch (InvalidFaultSetting e) {
                throw badRequest(e.getMessage());
            }
        } else if (request.stallMillis() != null) {
            throw badRequest("stallMillis applies to kind stall only, not to " + kind.jsonName());
        }
        afterRotation.inject(new AfterRotationFault(kind, stall), calls, request.realmId());
        return view();
    }

    @DeleteMapping("/outage")
    FaultsView endOutage() {
        faults.endOutage();
        return view();
    }

    private FaultsView view() {
        FaultSettings settings = faults.settings();
        Instant now = clock.instant();
        OutageView outage = faults.outage()
                .map(window -> new OutageView(window.status(), window.endsAt(),
                        secondsLeft(now, window.endsAt())))
                .orElse(null);
        return new FaultsView(settings.latencyMaxMillis(), settings.errorRate(), settings.errorStatuses(),
                settings.rateLimitRate(), settings.retryAfterSeconds(), settings.hangRate(), settings.hangMillis(),
                settings.invalidClient(), settings.seed(), outage);
    }

    /** Rounded up, so an outage still under way never shows 0. */
    private static long secondsLeft(Instant now, Instant endsAt) {
        Duration left = Duration.between(now, endsAt);
        return left.toSeconds() + (left.toNanosPart() > 0 ? 1 : 0);
    }

    /**
     * @param seconds
     *            how long the outage lasts, by the sandbox's clock
     * @param status
     *            what every token request answers meanwhile; null for 503
     */
    record OutageRequest(Long seconds, Integer status) {
    }

    /**
     * The body of every {@code /sandbox/faults} answer.
     *
     * @param seed
     *            what the draws were last seeded with, null when none was set
     * @param outage
     *            the outage under way, null when there is none
     */
    record FaultsView(long latencyMaxMillis, double errorRate, List<Integer> errorStatuses, double rateLimitRate,
            long retryAfterSeconds, double hangRate, long hangMillis, boolean invalidClient, Long seed,
            OutageView outage) {
    }

    /**
     * @param endsAt
     *            when the outage ends, by the sandbox's clock
     * @param secondsLeft
     *            until then, rounded up
     */
    record OutageView(int status, Instant endsAt, long secondsLeft) {
    }
}
