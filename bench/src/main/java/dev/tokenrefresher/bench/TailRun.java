package dev.tokenrefresher.bench;

/**
 * One measured run of the tail scenario, the workers' or the pooled sweep's, with the tail on.
 *
 * @param others the lateness of the claims of the connections whose own calls the tail leaves alone (the benchmark's
 *            claim log: claim minus due time); null when there were none
 * @param otherClaims how many claims that is
 * @param waiting of those connections, the ones due and not yet claimed when the window closed, by how long they had
 *            been due: the backlog the claims cannot show; null when none was waiting
 * @param waitingCount how many were waiting
 * @param groups what the sandbox counted in the window, per tail group
 * @param workersLateness the workers' own lateness histogram over the window, every connection; null for the sweep
 * @param otherCpuSeconds the CPU the machine spent outside the benchmark's processes in the window ({@link OtherLoad})
 */
record TailRun(String name, double seconds, ExactLateness others, long otherClaims,
        ExactLateness waiting, long waitingCount, TailGroups groups, LatenessHistogram workersLateness,
        double otherCpuSeconds) {

    long refreshes() {
        return groups.all().refreshes();
    }

    double rate() {
        return seconds == 0 ? 0 : refreshes() / seconds;
    }

    /** The share of the window's calls that hung, as the sandbox counted them. */
    double hungCallShare() {
        long calls = groups.all().calls();
        return calls == 0 ? 0 : (double) groups.all().hungCalls() / calls;
    }

    double slowCallShare() {
        long calls = groups.all().calls();
        return calls == 0 ? 0 : (double) groups.all().slowCalls() / calls;
    }

    /** Point 1 of issue 19, for the other connections: p99 at most 1 s, max at most 5 s, none after expiry. */
    boolean meetsTarget() {
        return others != null && others.p99() <= 1 && others.max() <= 5 && (waiting == null || waiting.max() <= 5)
                && groups.other().afterExpiry() == 0;
    }
}
