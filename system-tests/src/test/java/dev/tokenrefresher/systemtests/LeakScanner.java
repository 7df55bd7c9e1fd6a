package dev.tokenrefresher.systemtests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Finds secrets where they must not be. Every token the sandbox issues starts with {@code sbx_at_} or {@code sbx_rt_},
 * so any leaked token, including rotated ones the test never saw, matches the pattern.
 */
final class LeakScanner {

    static final Pattern SANDBOX_TOKEN = Pattern.compile("sbx_(at|rt)_[A-Za-z0-9_-]{8,}");

    private LeakScanner() {
    }

    /** Lines of the logs that contain a sandbox token or one of the given secrets, as {@code file: line}. */
    static List<String> leaksInLogs(Collection<Path> logs, Collection<String> secrets) {
        List<String> leaks = new ArrayList<>();
        for (Path log : logs) {
            try {
                for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                    if (leaks(line, secrets)) {
                        leaks.add(log.getFileName() + ": " + line);
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + log, e);
            }
        }
        return leaks;
    }

    static boolean leaks(String text, Collection<String> secrets) {
        return SANDBOX_TOKEN.matcher(text).find() || secrets.stream().anyMatch(text::contains);
    }
}
