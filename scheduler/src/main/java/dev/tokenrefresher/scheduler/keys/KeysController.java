package dev.tokenrefresher.scheduler.keys;

import dev.tokenrefresher.common.connection.KeyRewrites;
import dev.tokenrefresher.common.crypto.CryptoProperties;
import dev.tokenrefresher.common.crypto.TokenCipher;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Which keys hold the stored values, and how far the re-encryption job is: what an operator reads before removing a key. */
@Tag(name = "Keys", description = "Encryption keys in use and the re-encryption job's progress (role admin). Key ids "
        + "only: never a key.")
@RestController
@RequestMapping("/api/keys")
class KeysController {

    private final KeyRewrites rewrites;
    private final RewriteProgress progress;
    private final TokenCipher cipher;
    private final Set<String> configuredKeyIds;

    KeysController(KeyRewrites rewrites, RewriteProgress progress, TokenCipher cipher, CryptoProperties crypto) {
        this.rewrites = rewrites;
        this.progress = progress;
        this.cipher = cipher;
        this.configuredKeyIds = crypto.keys().keySet().stream().map(id -> id.toLowerCase(Locale.ROOT)).collect(
                Collectors.toUnmodifiableSet());
    }

    /**
     * @param keyId {@code null} for values with no readable header
     * @param configured whether this scheduler has the key; a key id in use and not configured means undecryptable
     *            rows
     */
    record KeyUse(String keyId, int format, boolean configured, long rows, long values) {
    }

    /** The job's current or last pass; {@code null} fields before the first. */
    record Job(String target, Instant passStartedAt, Instant passCompletedAt, long rewritten, long leftForNextPass,
            long undecryptable, Long rowsOutsideAtCompletion, Instant updatedAt) {
    }

    /**
     * @param rowsOutsidePrimary connections holding a value not under the primary key and current format, counted now:
     *            0 means the other keys may be removed
     */
    record Status(String primaryKeyId, int writeFormat, List<KeyUse> usage, long rowsOutsidePrimary, Job job) {
    }

    @Operation(summary = "Key usage and re-encryption progress", description = "Counts every connection's encrypted "
            + "values by key id and format (a full scan of the connection table), and shows the re-encryption "
            + "job's pass.")
    @ApiResponse(responseCode = "200", description = "the key status")
    @GetMapping
    Status status() {
        List<KeyUse> usage = rewrites.usage().stream()
                .map(use -> new KeyUse(use.keyId(), use.format(), use.keyId() != null && configuredKeyIds.contains(
                        use.keyId().toLowerCase(Locale.ROOT)), use.rows(), use.values()))
                .toList();
        Job job = progress.read()
                .map(pass -> new Job(pass.target(), pass.startedAt(), pass.completedAt(), pass.rewritten(), pass
                        .leftForNextPass(), pass.undecryptable(), pass.rowsOutside(), pass.updatedAt()))
                .orElse(null);
        return new Status(cipher.primaryKeyId(), cipher.writeFormat(), usage, rewrites.rowsOutside(cipher
                .currentHeader()), job);
    }
}
