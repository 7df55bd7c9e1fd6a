package dev.tokenrefresher.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * {@code refresherctl admin teardown}: work on an installation's broker and database directly, without its scheduler;
 * for installations whose apps are stopped.
 */
@Command(name = "admin", description = "Act on an installation's RabbitMQ and PostgreSQL directly, without the "
        + "scheduler (its apps stopped).", mixinStandardHelpOptions = true, subcommands = TeardownCommand.class)
final class AdminCommand {

    @ParentCommand
    RefresherCtl root;
}
