package dev.tokenrefresher.scheduler.deadletter;

import dev.tokenrefresher.common.RefresherException;

/** A replay named neither ids, nor a filter, nor {@code all: true}: replaying everything must be asked for. */
public class ReplayScopeMissingException extends RefresherException {

    ReplayScopeMissingException() {
        super("replay needs ids, a filter (reason, provider, connectionId, since) or \"all\": true");
    }
}
