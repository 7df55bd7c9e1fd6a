package dev.tokenrefresher.scheduler.deadletter;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
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
     * {@code all: true}; only dead letters not replayed before are replayed.
     */
    record ReplayRequest(@Size(max = 10_000) List<Long> ids, String reason, String provider, UUID connectionId,
            Instant since, Boolean all) {
    }

    @PostMapping("/replay")
    DeadLetterReplay.Result replay(@RequestBody @Validated ReplayRequest request) {
        if (request.ids() != null && !request.ids().isEmpty()) {
            return replay.replay(request.ids());
        }
        boolean filtered = request.reason() != null || request.provider() != null || request.connectionId() != null
                || request.since() != null;
        if (!filtered && !Boolean.TRUE.equals(request.all())) {
            throw new ReplayScopeMissingException();
        }
        return replay.replay(new DeadLetterFilter(request.reason(), request.provider(), request.connectionId(),
                request.since(), false));
    }
}
