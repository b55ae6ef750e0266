package org.meshchain.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meshchain.core.types.Address;
import org.meshchain.node.peers.InboundInspector;
import org.meshchain.node.port.NodeExtension;

/**
 * A validator stopped while the others commit many blocks restarts from its data directory, catches up
 * by sync, votes again, and never signs two different votes (or timeouts) for one round: checked over
 * every vote and timeout it sent, as received by the others, across the restart.
 */
class RestartCatchUpTest {

    @TempDir
    Path dir;

    @Test
    void restartedValidatorCatchesUpAndVotesWithoutDoubleSigning() throws Exception {
        try (ClusterFixture cluster = ClusterFixture.prepare(dir, 4, 2, null)) {
            Address restarted = Address.of(cluster.devnet.validatorKeys().get(3).publicKey());
            VoteRecorder votes = new VoteRecorder(restarted);
            InboundInspector inspector = votes.inspector();
            cluster.devnet.startAll(DefaultExecutors.factory(), i -> List.<NodeExtension>of(), inspector);
            ClusterFixture.await("height 5 on every validator", Duration.ofSeconds(60),
                    () -> cluster.devnet.running().stream().allMatch(n -> n.state().committedHeight() >= 5));
            long votesBeforeStop = votes.recorded();
            assertThat(votesBeforeStop).as("votes of validator 3 seen before the stop").isPositive();

            cluster.devnet.stop(3);
            long stoppedAt = cluster.node(0).state().committedHeight();
            ClusterFixture.await("25 blocks (more than the sync lag) committed without validator 3", Duration.ofSeconds(90),
                    () -> cluster.node(0).state().committedHeight() >= stoppedAt + 25);

            Node back = cluster.devnet.start(3, cluster.options().withInspector(inspector));
            long restartHeight = back.state().committedHeight();
            assertThat(restartHeight).as("resumes from its data directory").isGreaterThanOrEqualTo(stoppedAt - 1);
            ClusterFixture.await("validator 3 catches up", Duration.ofSeconds(60),
                    () -> back.state().committedHeight() >= cluster.node(0).state().committedHeight() - 2
                            && back.state().committedHeight() > stoppedAt + 25);
            votes.awaitSignedCertificate(cluster.node(0), "a certificate signed by validator 3 after its restart");

            votes.assertVotedAgainWithoutDoubleSigning(votesBeforeStop);
        }
    }
}
