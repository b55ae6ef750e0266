package org.meshchain.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meshchain.node.devnet.Devnet;
import org.meshchain.node.peers.InboundInspector;
import org.meshchain.node.port.NodeExtension;
import org.meshchain.node.tls.TlsCertificates;
import org.meshchain.persistence.testing.FreePorts;

/**
 * Validators on Artery tls-tcp with mutual TLS (certificates from TlsCertificates) commit blocks. Long
 * tier: generating the certificates runs keytool about twenty times (~30 s on 2 cores).
 */
@Tag("long")
class TlsClusterTest {

    @TempDir
    Path dir;

    @Test
    void validatorsCommitOverMutualTls() throws Exception {
        Devnet devnet = Devnet.prepare(new Devnet.Layout(dir, 4, 1, "127.0.0.1", FreePorts.consecutive(4)), null, true);
        try (devnet) {
            assertThat(Files.readString(dir.resolve("validator-0/node.conf"))).contains("enabled = on");
            devnet.startAll(DefaultExecutors.factory(), i -> List.<NodeExtension>of(), InboundInspector.NONE);
            ClusterFixture.await("height 5 on every validator over TLS", Duration.ofSeconds(90),
                    () -> devnet.running().stream().allMatch(n -> n.state().committedHeight() >= 5));
        }
        // a second CA in the same directory is refused, so existing certificates are never replaced
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TlsCertificates.generate(dir.resolve("tls"), List.of("x")))
                .hasMessageContaining("refusing to replace a CA");
    }
}
