package dev.tokenrefresher.bench;

/**
 * One tail of the tail scenario: the workers and the pooled sweep under it, on the same connections.
 *
 * @param connections the steady state's connections, of which {@code hangConnections} hang and
 *            {@code slowConnections} are slow
 * @param sweep null when the sweeps are left out ({@code --no-sweep})
 */
record TailResult(TailCase tail, int connections, long hangConnections, long slowConnections, TailRun workers,
        TailRun sweep) {

    long otherConnections() {
        return connections - hangConnections - slowConnections;
    }
}
