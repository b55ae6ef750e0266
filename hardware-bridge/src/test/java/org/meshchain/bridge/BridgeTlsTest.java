package org.meshchain.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.meshchain.bridge.protocol.ChainMessages;
import org.meshchain.bridge.testing.BridgeFixture;
import org.meshchain.bridge.testing.BridgeFixtureTest;
import org.meshchain.bridge.testing.MosquittoBroker;
import org.meshchain.core.types.DomainCodecs;
import org.meshchain.node.port.CertifiedHeader;

/** The bridge reaches a broker that takes only TLS with a username and password, and is refused without them. */
class BridgeTlsTest extends BridgeFixtureTest {

    @Test
    void bridgeConnectsOverTlsWithCredentialsAndPublishesTheHeader() throws Exception {
        assumeTrue(MosquittoBroker.installed(), "mosquitto not installed (.ci/setup)");
        fixture = new BridgeFixture(dir, 1, 2, "", 50, true);
        fixture.startBridge();
        fixture.register(List.of(fixture.device(1))); // a commit after the bridge is up: a header is published
        long height = fixture.node().status().committedHeight();
        Thread.sleep(300);
        Process sub = new ProcessBuilder("mosquitto_sub", "-h", "127.0.0.1", "-p", "" + fixture.broker().port(),
                "--cafile", fixture.broker().caFile().toString(), "-u", MosquittoBroker.USER, "-P", MosquittoBroker.PASSWORD,
                "-t", fixture.topics().headers(), "-C", "1", "-W", "10", "-F", "%x").redirectErrorStream(true).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        sub.getInputStream().transferTo(out);
        assertThat(sub.waitFor(15, TimeUnit.SECONDS)).isTrue();
        CertifiedHeader header = ChainMessages.decodeHeader(HexFormat.of().parseHex(out.toString(StandardCharsets.US_ASCII).trim()),
                DomainCodecs.DEFAULT);
        assertThat(header.header().height()).isEqualTo(height);
    }

    @Test
    void aWrongPasswordNeverConnects() throws Exception {
        assumeTrue(MosquittoBroker.installed(), "mosquitto not installed (.ci/setup)");
        fixture = new BridgeFixture(dir, 0, 0, "meshchain.bridge.password = \"wrong\"", 50, true);
        fixture.startBridgeNoWait();
        Thread.sleep(3000);
        assertThat(fixture.bridge().connected()).isFalse();
        // and the node is unaffected
        fixture.register(List.of(BridgeFixture.deviceKey(5)));
    }
}
