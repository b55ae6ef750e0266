package org.meshchain.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.meshchain.deploy.CliRun.run;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meshchain.bridge.micronode.DeviceFleet;
import org.meshchain.bridge.testing.BridgeFixture;
import org.meshchain.bridge.testing.MosquittoBroker;
import org.meshchain.core.crypto.Ed25519PrivateKey;

class DevicesCommandTest {

    @TempDir
    Path dir;

    @Test
    void keysArePrintedAndBadOptionsAreOneLineErrors() {
        CliRun keys = run("devices", "keys", "--count", "2", "--seed", "s");
        assertThat(keys.exitCode()).isZero();
        assertThat(keys.out().lines()).hasSize(2);
        assertThat(keys.out()).contains(DeviceFleet.deviceKey("s", 1).publicKey().toHex());
        CliRun bad = run("devices", "simulate", "--count", "0", "--broker", "tcp://127.0.0.1:1", "--chain", "c",
                "--validators", "00");
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.err().trim()).isEqualTo("meshchain devices simulate: --count 0: must be in 1..100000");
    }

    @Test
    void aSimulatedFleetGetsItsFramesCommitted() throws Exception {
        assumeTrue(MosquittoBroker.installed(), "mosquitto not installed (.ci/setup)");
        try (BridgeFixture fixture = new BridgeFixture(dir.resolve("f"), 0, 0, "", 50)) {
            List<Ed25519PrivateKey> fleet = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                fleet.add(DeviceFleet.deviceKey("cli-test", i));
            }
            fixture.enroll(fleet);
            fixture.startBridge();
            String validators = fixture.node().validatorKeys().stream().map(k -> k.publicKey().toHex())
                    .collect(Collectors.joining(","));
            CliRun sim = run("devices", "simulate", "--count", "3", "--broker", fixture.broker().url(), "--chain",
                    BridgeFixture.CHAIN.value(), "--validators", validators, "--seed", "cli-test", "--data-dir",
                    dir.resolve("flash").toString(), "--interval-ms", "300", "--duration-s", "3");
            assertThat(sim.exitCode()).as(sim.err()).isZero();
            assertThat(sim.out()).contains("devices: 3 started, 0 failed").contains("3 accounts verified by proof");
            String last = sim.out().lines().filter(l -> l.startsWith("final: ")).findFirst().orElseThrow();
            Matcher committed = Pattern.compile("committed=(\\d+)").matcher(last);
            assertThat(committed.find()).as(last).isTrue();
            assertThat(Long.parseLong(committed.group(1))).isGreaterThanOrEqualTo(9);
            assertThat(last).doesNotContain("replay").doesNotContain("rejected").contains("healthy=3");
        }
    }
}
