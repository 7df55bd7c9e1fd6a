package dev.tokenrefresher.sandbox.faults;

/** A fault setting out of its range; the message names the field or property at fault. */
final class InvalidFaultSetting extends IllegalArgumentException {

    InvalidFaultSetting(String message) {
        super(message);
    }
}
