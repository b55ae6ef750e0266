package org.meshchain.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MeshchainCliTest {

    private static String[] runCapturing(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new MeshchainCli());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new String[] {Integer.toString(code), out.toString(), err.toString()};
    }

    @Test
    void versionNamesTheProjectVersion() {
        String[] result = runCapturing("--version");
        assertThat(result[0]).isEqualTo("0");
        assertThat(result[1]).startsWith("meshchain 0.1.0");
    }

    @Test
    void helpListsUsage() {
        String[] result = runCapturing("--help");
        assertThat(result[0]).isEqualTo("0");
        assertThat(result[1]).contains("Usage: meshchain");
    }

    @Test
    void unknownOptionIsAUsageError() {
        String[] result = runCapturing("--no-such-option");
        assertThat(result[0]).isEqualTo("2");
        assertThat(result[2]).contains("Unknown option: '--no-such-option'");
    }
}
