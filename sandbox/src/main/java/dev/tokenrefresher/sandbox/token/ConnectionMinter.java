package dev.tokenrefresher.sandbox.token;

import java.util.List;

/**
 * Mints connections for the sandbox's other features (the demo switch), exactly as {@code POST /sandbox/connections}
 * does. The only public way into the {@link ConnectionMint}, so everything else about the connections stays in this
 * package.
 */
public interface ConnectionMinter {

    /** Creates {@code count} connections as if each had just completed the authorization-code flow. */
    List<MintedConnection> mint(int count);
}
