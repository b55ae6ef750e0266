package org.meshchain.bridge.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.meshchain.bridge.protocol.DeviceTopics.Inbound;
import org.meshchain.bridge.testing.BridgeFixture;
import org.meshchain.bridge.testing.BridgeFixtureTest;
import org.meshchain.bridge.testing.MosquittoBroker;
import org.meshchain.bridge.testing.RawDevice;
import org.meshchain.core.types.Address;

/**
 * docs/DEVICES.md stays true: its examples are exactly what the code produces (run with
 * {@code -Ddevices.doc.write=true} to regenerate them), and the documented frame, published by hand
 * with {@code mosquitto_pub}, is accepted by the bridge.
 */
class DevicesDocTest extends BridgeFixtureTest {

    static Path doc() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("docs"))) {
            p = p.getParent();
        }
        return p.resolve("docs/DEVICES.md");
    }

    @Test
    void examplesInTheDocumentAreWhatTheCodeProduces() throws Exception {
        Path doc = doc();
        String text = Files.readString(doc);
        int begin = text.indexOf(DevicesDocExamples.BEGIN);
        int end = text.indexOf(DevicesDocExamples.END);
        assertThat(begin).as("examples begin marker in " + doc).isGreaterThanOrEqualTo(0);
        assertThat(end).isGreaterThan(begin);
        String current = text.substring(begin, end + DevicesDocExamples.END.length() + 1);
        String generated = DevicesDocExamples.section();
        if (Boolean.getBoolean("devices.doc.write") && !current.equals(generated)) {
            Files.writeString(doc, text.substring(0, begin) + generated + text.substring(end + DevicesDocExamples.END.length() + 1));
            return;
        }
        assertThat(current).isEqualTo(generated);
    }

    @Test
    void theDocumentedFramePublishedWithMosquittoPubIsAccepted() throws Exception {
        assumeTrue(MosquittoBroker.installed(), "mosquitto not installed (.ci/setup)");
        String text = Files.readString(doc());
        Matcher m = Pattern.compile("as published:\\n\\n```\\n([0-9a-f]+)\\n```").matcher(text);
        assertThat(m.find()).as("the complete example frame in DEVICES.md").isTrue();
        byte[] frame = HexFormat.of().parseHex(m.group(1));
        fixture = new BridgeFixture(dir, 2, 2, "", 50);
        fixture.startBridge();
        Address device = Address.of(DevicesDocExamples.exampleDevice().publicKey());
        Path file = dir.resolve("frame.bin");
        Files.write(file, frame);
        try (RawDevice listener = new RawDevice(fixture.broker().port(), fixture.topics(), device)) {
            Process pub = new ProcessBuilder("mosquitto_pub", "-h", "127.0.0.1", "-p", "" + fixture.broker().port(), "-q", "1",
                    "-t", fixture.topics().inbound(device, Inbound.TX), "-f", file.toString()).redirectErrorStream(true).start();
            assertThat(pub.waitFor()).isZero();
            BridgeReply reply = listener.nextReply(15);
            assertThat(reply.code()).isEqualTo(ReplyCode.ACCEPTED);
            assertThat(reply.counter()).isEqualTo(1);
            assertThat(listener.nextReply(15).code()).isEqualTo(ReplyCode.COMMITTED);
        }
    }
}
