package dev.tokenrefresher.sandbox.token;

import dev.tokenrefresher.sandbox.faults.InjectedFault;

/** An answer the fault injection chose instead of the token logic; the request's tokens were not looked at. */
record FaultAnswer(InjectedFault fault) implements TokenAnswer {

    @Override
    public int status() {
        return fault.status();
    }
}
