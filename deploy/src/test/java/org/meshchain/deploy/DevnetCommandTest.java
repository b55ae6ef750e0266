package org.meshchain.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code meshchain devnet}'s option checks: a bad value is one line naming the option, and nothing starts. */
class DevnetCommandTest {

    @TempDir
    Path dir;

    private String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new MeshchainCli());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        String[] all = new String[args.length + 3];
        all[0] = "devnet";
        all[1] = "--data";
        all[2] = dir.resolve("dn").toString();
        System.arraycopy(args, 0, all, 3, args.length);
        int code = cli.execute(all);
        return new String[] {Integer.toString(code), out.toString(), err.toString()};
    }

    @Test
    void badDeviceAndBrokerOptionsAreRefusedBeforeAnythingStarts() {
        assertThat(run("--devices", "0")[2]).contains("--devices 0: must be in 1..1000 (or --no-devices)");
        assertThat(run("--devices", "1001")[2]).contains("--devices 1001");
        assertThat(run("--broker-port", "70000")[2]).contains("--broker-port 70000: must be in 1..65535");
        assertThat(run("--accounts", "1")[2]).contains("--accounts 1: must be at least 2 with devices");
        assertThat(run("--device-interval-ms", "5")[2]).contains("--device-interval-ms 5: must be at least 100");
        String[] badKey = run("--register-device", "abcd");
        assertThat(badKey[0]).isEqualTo("1");
        assertThat(badKey[2]).contains("--register-device 'abcd': not a 32-byte hex Ed25519 public key");
        assertThat(Files.exists(dir.resolve("dn"))).as("no devnet directory written").isFalse();
    }

    @Test
    void helpListsTheDeviceOptions() {
        String[] help = run("--help");
        assertThat(help[0]).isEqualTo("0");
        assertThat(help[1]).contains("--broker-port", "--broker-host", "--devices", "--no-devices", "--register-device");
    }
}
