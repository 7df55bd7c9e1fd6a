package dev.tokenrefresher.sandbox.faults;

/** Decides, for each token request as it arrives, whether it is answered by a fault instead of the token logic. */
@FunctionalInterface
public interface FaultDecider {

    FaultDecision decide();
}
