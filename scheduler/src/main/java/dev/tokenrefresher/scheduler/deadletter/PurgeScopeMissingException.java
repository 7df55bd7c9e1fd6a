package dev.tokenrefresher.scheduler.deadletter;

import dev.tokenrefresher.common.RefresherException;

/** A purge named no filter: deleting every dead letter must not happen by accident. */
public class PurgeScopeMissingException extends RefresherException {

    PurgeScopeMissingException() {
        super("purge needs a filter: reason, provider, connectionId or since");
    }
}
