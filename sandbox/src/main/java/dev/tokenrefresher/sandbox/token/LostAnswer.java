package dev.tokenrefresher.sandbox.token;

import dev.tokenrefresher.sandbox.faults.AfterRotationFault;

/**
 * A granted refresh whose answer is lost: the refresh token was rotated (the presented one is spent), and the grant is
 * rendered broken or not at all, as {@code fault} says.
 */
record LostAnswer(TokenGrant grant, AfterRotationFault fault) implements TokenAnswer {

    /** What it is counted as in {@code requestsByStatus}: a reset has no status and is not counted there. */
    static final int NO_STATUS = 0;

    @Override
    public int status() {
        return switch (fault.kind()) {
            case RESET -> NO_STATUS;
            case SERVER_ERROR -> 500;
            case TRUNCATED, STALL -> 200;
        };
    }
}
