package org.meshchain.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** One run of the {@code meshchain} CLI in-process: its exit code and what it printed to stdout and stderr. */
record CliRun(int exitCode, String out, String err) {

    static CliRun run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new MeshchainCli());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new CliRun(code, out.toString(), err.toString());
    }

    /** The value printed on the stdout line {@code <name> <value>}; fails the test if there is none. */
    String field(String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\s+(\\S+)$").matcher(out);
        assertThat(m.find()).as(name + " in:\n" + out).isTrue();
        return m.group(1);
    }
}
