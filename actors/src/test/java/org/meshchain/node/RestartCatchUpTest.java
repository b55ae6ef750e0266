package org.meshchain.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meshchain.core.codec.DecodeException;
import org.meshchain.core.consensus.ConsensusMessage;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.DomainCodecs;
import org.meshchain.core.types.ValidatorSignature;
import org.meshchain.core.types.VoteData;
import org.meshchain.node.peers.InboundInspector;
import org.meshchain.node.port.NodeExtension;
import org.meshchain.node.wire.WireCodec;

/**
 * A validator stopped while the others commit many blocks restarts from its data directory, catches up
 * by sync, votes again, and never signs two different votes (or timeouts) for one round: checked over
 * every vote and timeout it sent, as received by the others, across the restart.
 */
class RestartCatchUpTest {

    @TempDir
    Path dir;

    private final WireCodec codec = new WireCodec(DomainCodecs.DEFAULT, 100, 5000);
    private final Map<Long, Set<VoteData>> votesByRound = new ConcurrentHashMap<>();
    private final Map<Long, Set<Long>> timeoutHighQcByRound = new ConcurrentHashMap<>();
    private final AtomicLong recorded = new AtomicLong();
    private final AtomicBoolean undecodable = new AtomicBoolean();

    private InboundInspector recorder(Address watched) {
        return (from, kind, payload) -> {
            if (!from.equals(watched) || (kind != WireCodec.Kind.VOTE && kind != WireCodec.Kind.TIMEOUT)) {
                return;
            }
            try {
                ConsensusMessage message = codec.decodeConsensus(kind, payload);
                if (message instanceof ConsensusMessage.VoteMessage v) {
                    votesByRound.computeIfAbsent(v.vote().data().round(), r -> ConcurrentHashMap.newKeySet()).add(v.vote().data());
                } else if (message instanceof ConsensusMessage.TimeoutMessage t) {
                    timeoutHighQcByRound.computeIfAbsent(t.timeout().round(), r -> ConcurrentHashMap.newKeySet())
                            .add(t.timeout().highQc().round());
                }
                recorded.incrementAndGet();
            } catch (DecodeException e) {
                undecodable.set(true);
            }
        };
    }

    @Test
    void restartedValidatorCatchesUpAndVotesWithoutDoubleSigning() throws Exception {
        try (ClusterFixture cluster = ClusterFixture.prepare(dir, 4, 2, null)) {
            Address restarted = Address.of(cluster.devnet.validatorKeys().get(3).publicKey());
            InboundInspector inspector = recorder(restarted);
            cluster.devnet.startAll(DefaultExecutors.factory(), i -> List.<NodeExtension>of(), inspector);
            ClusterFixture.await("height 5 on every validator", Duration.ofSeconds(60),
                    () -> cluster.devnet.running().stream().allMatch(n -> n.state().committedHeight() >= 5));
            long votesBeforeStop = recorded.get();
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
            AtomicBoolean signedAgain = new AtomicBoolean();
            AutoCloseable subscription = cluster.node(0).services().subscribeCommits(c -> {
                for (ValidatorSignature s : c.certificate().signatures()) {
                    if (s.validator().equals(restarted)) {
                        signedAgain.set(true);
                    }
                }
            });
            ClusterFixture.await("a certificate signed by validator 3 after its restart", Duration.ofSeconds(60),
                    signedAgain::get);
            subscription.close();

            assertThat(undecodable).isFalse();
            assertThat(recorded.get()).isGreaterThan(votesBeforeStop);
            votesByRound.forEach((round, votes) -> assertThat(votes).as("votes of validator 3 in round " + round).hasSize(1));
            timeoutHighQcByRound.forEach((round, timeouts) ->
                    assertThat(timeouts).as("timeouts of validator 3 in round " + round).hasSize(1));
        }
    }
}
