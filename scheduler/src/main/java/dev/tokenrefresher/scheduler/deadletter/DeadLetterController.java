package dev.tokenrefresher.scheduler.deadletter;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.tokenrefresher.scheduler.connection.InvalidFieldException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Size;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Dead letters: listed without being consumed, counted by reason, shown, replayed, purged. */
@Tag(name = "Dead letters", description = "Refreshes that failed for good: list, inspect, count, replay and "
        + "purge (role admin). Reading never consumes them.")
@RestController
@RequestMapping("/api/dead-letters")
class DeadLetterController {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterController.class);

    private final DeadLetterRecords records;
    private final DeadLetterReplay replay;

    DeadLetterController(DeadLetterRecords records, DeadLetterReplay replay) {
        this.records = records;
        this.replay = replay;
    }

    /** @param nextAfter the cursor for the next page; {@code null} on the last page */
    record Page(List<DeadLetterRecord> items, Long nextAfter) {
    }

    @Operation(summary = "List dead letters", description = "Oldest first, filtered by reason, provider, connection "
            + "and time; page with nextAfter as after.")
    @ApiResponse(responseCode = "200", description = "one page of dead letters")
    @ApiResponse(responseCode = "400", description = "an invalid parameter, by name")
    @GetMapping
    Page list(@RequestParam(required = false) String reason, @RequestParam(required = false) String provider,
            @RequestParam(required = false) UUID connectionId, @RequestParam(required = false) Instant since,
            @RequestParam(defaultValue = "true") boolean includeReplayed,
            @RequestParam(defaultValue = "0") @Min(0) long after,
            @RequestParam(defaultValue = "100") @Min(1) @Max(1000) int limit) {
        List<DeadLetterRecord> items = records.find(new DeadLetterFilter(reason, provider, connectionId, since,
                includeReplayed), after, limit);
        return new Page(items, items.size() == limit ? items.getLast().id() : null);
    }

    @Operation(summary = "Count dead letters by reason", description = "Pending ones only (not replayed, not "
            + "resolved), unless includeReplayed.")
    @ApiResponse(responseCode = "200", description = "counts by reason")
    @GetMapping("/stats")
    Map<String, Long> countByReason(@RequestParam(defaultValue = "false") boolean includeReplayed) {
        return records.countByReason(includeReplayed);
    }

    /**
     * One dead letter with the message it was made from.
     *
     * @param body the original message body as UTF-8 text, cut at {@value #BODY_PREVIEW_CHARS} characters; refresh
     *            messages hold ids and times, never a token
     * @param bodyBytes the body's full size
     */
    record DeadLetterDetails(@JsonUnwrapped DeadLetterRecord letter, String body, int bodyBytes) {
    }

    static final int BODY_PREVIEW_CHARS = 2048;

    @Operation(summary = "Show a dead letter", description = "With the message it was made from (ids and times, "
            + "never a token).")
    @ApiResponse(responseCode = "200", description = "the dead letter")
    @ApiResponse(responseCode = "404", description = "no dead letter has this id")
    @GetMapping("/{id}")
    DeadLetterDetails show(@PathVariable long id) {
        DeadLetterRecord letter = records.findById(id).orElseThrow(() -> new DeadLetterNotFoundException(id));
        byte[] body = records.body(id).orElse(new byte[0]);
        String text = new String(body, StandardCharsets.UTF_8);
        return new DeadLetterDetails(letter, text.length() > BODY_PREVIEW_CHARS
                ? text.substring(0, BODY_PREVIEW_CHARS)
                : text, body.length);
    }

    record Purged(int purged) {
    }

    /** Deletes dead letters for good, replayed or not; a filter is required. */
    @Operation(summary = "Purge dead letters", description = "Deletes them for good, replayed or not; a filter is "
            + "required.")
    @ApiResponse(responseCode = "200", description = "how many were deleted")
    @ApiResponse(responseCode = "400", description = "no filter was given")
    @DeleteMapping
    Purged purge(@RequestParam(required = false) String reason, @RequestParam(required = false) String provider,
            @RequestParam(required = false) UUID connectionId, @RequestParam(required = false) Instant since) {
        if (reason == null && provider == null && connectionId == null && since == null) {
            throw new PurgeScopeMissingException();
        }
        int purged = records.delete(new DeadLetterFilter(reason, provider, connectionId, since, true));
        log.info("purged {} dead letter(s): reason={} provider={} connectionId={} since={}", purged, reason, provider,
                connectionId, since);
        return new Purged(purged);
    }

    /**
     * Either {@code ids}, or a filter ({@code reason}, {@code provider}, {@code connectionId}, {@code since}), or
     * {@code all: true}; only dead letters not replayed before are replayed. Ids that name no dead letter are answered
     * in {@code notFound}, not refused: the others are replayed all the same.
     */
    record ReplayRequest(@Size(max = 10_000) List<Long> ids, String reason, String provider, UUID connectionId,
            Instant since, Boolean all) {
    }

    @Operation(summary = "Replay dead letters", description = "By ids, by filter, or all: each connection gets a new "
            + "fence and is due now. Idempotent: a dead letter is replayed once.")
    @ApiResponse(responseCode = "200", description = "what was replayed, what was skipped and why, and the ids that name no dead letter (notFound)")
    @ApiResponse(responseCode = "400", description = "neither ids, a filter nor all=true was given, or ids "
            + "together with one of the others")
    @PostMapping("/replay")
    DeadLetterReplay.Result replay(@RequestBody @Validated ReplayRequest request) {
        boolean filtered = request.reason() != null || request.provider() != null || request.connectionId() != null
                || request.since() != null;
        if (request.ids() != null && !request.ids().isEmpty()) {
            if (filtered || request.all() != null) {
                // the filter would be ignored: say so rather than replay something the operator did not mean
                throw new InvalidFieldException("ids", "cannot be combined with a filter or \"all\"; give one "
                        + "of them");
            }
            return replay.replay(request.ids());
        }
        if (!filtered && !Boolean.TRUE.equals(request.all())) {
            throw new ReplayScopeMissingException();
        }
        return replay.replay(new DeadLetterFilter(request.reason(), request.provider(), request.connectionId(),
                request.since(), false));
    }
}
