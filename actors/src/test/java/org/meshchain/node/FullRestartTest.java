package org.meshchain.node;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meshchain.node.devnet.Devnet;
import org.meshchain.node.peers.InboundInspector;
import org.meshchain.node.port.NodeExtension;

/** Every validator stopped and started again from its data directory (devnet Ctrl-C and re-run): the chain resumes. */
class FullRestartTest {

    @TempDir
    Path dir;

    @Test
    void theWholeNetworkResumesAfterAllValidatorsRestart() throws Exception {
        ClusterFixture cluster = ClusterFixture.prepare(dir, 4, 1, null).startAll();
        ClusterFixture.await("height 10", Duration.ofSeconds(60),
                () -> cluster.devnet.running().stream().allMatch(n -> n.state().committedHeight() >= 10));
        cluster.close();
        Devnet again = Devnet.prepare(cluster.devnet.layout(), null);
        try (again) {
            again.startAll(DefaultExecutors.factory(), i -> List.<NodeExtension>of(), InboundInspector.NONE);
            long resumedAt = again.node(0).state().committedHeight();
            ClusterFixture.await("10 more blocks after the restart", Duration.ofSeconds(60),
                    () -> again.running().stream().allMatch(n -> n.state().committedHeight() >= resumedAt + 10));
        }
    }
}
