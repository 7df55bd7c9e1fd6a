package dev.tokenrefresher.common.messaging;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The name of every exchange and queue of one installation, from its prefix. Plain Java on purpose: the operator CLI
 * derives the names it tears down from here without Spring on its class path, so an installation's names are spelled
 * in this one place; {@link RefresherTopology} declares them.
 *
 * <p>Every name is the prefix, a dot and a fixed suffix ({@code delay.L00} .. {@code delay.L27}, {@code deliver},
 * {@code dead}, {@code unarchived}, {@code parked}, {@code events}, {@code issued}) or {@code refresh.} and a provider's name. Names are exact, never a
 * pattern: {@code refresher} owns {@code refresher.dead}, not {@code refresher-other.dead} nor
 * {@code refresher.demo.dead}.
 */
public final class TopologyNames {

    /** What {@code refresher.messaging.prefix} may be. */
    public static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9_.-]{1,100}");
    /** What a provider's name may be: it is part of its work queue's name, and has no dot. */
    public static final Pattern PROVIDER = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    private final String prefix;

    public TopologyNames(String prefix) {
        if (prefix == null || !PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("a messaging prefix must be 1 to 100 of [A-Za-z0-9_.-], was "
                    + (prefix == null ? "none" : "'" + prefix + "'"));
        }
        this.prefix = prefix;
    }

    public String prefix() {
        return prefix;
    }

    public String levelName(int level) {
        return String.format("%s.delay.L%02d", prefix, level);
    }

    public String deliveryExchange() {
        return prefix + ".deliver";
    }

    public String workQueue(String provider) {
        return prefix + ".refresh." + provider;
    }

    public String deadLetterExchange() {
        return prefix + ".dead";
    }

    public String deadLetterQueue() {
        return prefix + ".dead";
    }

    /** The fanout exchange and quorum queue of dead letters the archive could not store; read by operators. */
    public String unarchivedExchange() {
        return prefix + ".unarchived";
    }

    public String unarchivedQueue() {
        return prefix + ".unarchived";
    }

    public String parkedQueue() {
        return prefix + ".parked";
    }

    public String parkedExchange() {
        return prefix + ".parked";
    }

    public String eventsExchange() {
        return prefix + ".events";
    }

    /** The fanout exchange and quorum queue holding issued tokens that could not be stored while PostgreSQL was down. */
    public String handoffExchange() {
        return prefix + ".issued";
    }

    public String handoffQueue() {
        return prefix + ".issued";
    }

    /**
     * Every queue: the ladder's levels, the dead-letter, unarchived, parked and hand-off queues, and the given
     * providers' work queues.
     */
    public List<String> queueNames(Collection<String> providers) {
        List<String> names = new ArrayList<>();
        for (int level = 0; level < DelayLadder.DIGITS; level++) {
            names.add(levelName(level));
        }
        names.add(deadLetterQueue());
        names.add(unarchivedQueue());
        names.add(parkedQueue());
        names.add(handoffQueue());
        providers.forEach(provider -> names.add(workQueue(provider)));
        return names;
    }

    /** Every exchange: the ladder's levels, delivery, dead letters, unarchived and parked ones, events, the hand-off. */
    public List<String> exchangeNames() {
        List<String> names = new ArrayList<>();
        for (int level = 0; level < DelayLadder.DIGITS; level++) {
            names.add(levelName(level));
        }
        names.add(deliveryExchange());
        names.add(deadLetterExchange());
        names.add(unarchivedExchange());
        names.add(parkedExchange());
        names.add(eventsExchange());
        names.add(handoffExchange());
        return names;
    }
}
