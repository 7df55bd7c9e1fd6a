package dev.tokenrefresher.sandbox.demo;

/** How the scheduler took one registration. */
sealed interface SchedulerAnswer {

    /** 201 for a new connection, 200 for a re-registration (a reconnect of the same tenant). */
    record Registered(boolean created) implements SchedulerAnswer {
    }

    /**
     * A 4xx: the request itself is wrong (provider unknown to the scheduler, API key missing, ...), so every other
     * registration would get the same answer. Not retried.
     *
     * @param detail
     *            the problem detail's {@code detail}, with anything that looks like a sandbox token blanked out; null
     *            when the body has none
     */
    record Rejected(int status, String detail) implements SchedulerAnswer {
    }

    /** No answer (connection refused, timeout, ...) or a 5xx: the scheduler may not be up yet. */
    record Unavailable(String reason) implements SchedulerAnswer {
    }

    /** Any other status, e.g. a redirect: not what a scheduler answers, so the URL is probably wrong. */
    record Unexpected(int status) implements SchedulerAnswer {
    }
}
