package org.meshchain.deploy;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;

/**
 * Base of every leaf command: runs a body that may fail with a one-line message, printed on stderr
 * as {@code meshchain <command>: <message>} with exit code 1 — never a stack trace on an operator's
 * terminal. Usage errors keep picocli's exit code 2.
 */
abstract class CliSubcommand implements Callable<Integer> {

    static final int FAILED = 1;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** A failure to report as one line. */
    static final class CommandFailure extends Exception {
        private static final long serialVersionUID = 1L;

        CommandFailure(String message) {
            super(message);
        }
    }

    @Override
    public final Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try {
            execute(out);
            out.flush();
            return 0;
        } catch (CommandFailure e) {
            return fail(e.getMessage());
        } catch (RuntimeException e) {
            // Not expected; still one line.
            return fail("unexpected failure: " + e);
        }
    }

    private int fail(String message) {
        spec.commandLine().getOut().flush();
        PrintWriter err = spec.commandLine().getErr();
        err.println("meshchain " + spec.qualifiedName(" ").replaceFirst("^meshchain ", "") + ": " + message);
        err.flush();
        return FAILED;
    }

    abstract void execute(PrintWriter out) throws CommandFailure;
}
