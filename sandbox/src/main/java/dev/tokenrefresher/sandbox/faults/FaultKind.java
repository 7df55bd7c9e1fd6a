package dev.tokenrefresher.sandbox.faults;

/** The kinds of misbehaviour the token endpoint can be told to show, as counted in {@code GET /sandbox/stats}. */
public enum FaultKind {

    /** A status from {@code errorStatuses}, with a gateway's body. */
    ERROR,

    /** 429 with {@code Retry-After}. */
    RATE_LIMITED,

    /** No answer for {@code hangMillis}, then 504. */
    HANG,

    /** Every request during an outage window. */
    OUTAGE,

    /** 401 invalid_client, as if the app's client secret had been revoked. */
    INVALID_CLIENT,

    /** 200 with its headers sent at once and its body held: an answer that breaks off after the headers. */
    STALLED_BODY
}
