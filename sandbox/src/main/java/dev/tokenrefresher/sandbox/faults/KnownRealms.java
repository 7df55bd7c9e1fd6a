package dev.tokenrefresher.sandbox.faults;

/** Tells the fault control API which realm ids name a connection, so that a fault aimed at none is refused. */
public interface KnownRealms {

    boolean exists(String realmId);
}
