package org.meshchain.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meshchain.core.codec.DecodeException;
import org.meshchain.core.crypto.Ed25519;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.crypto.Hashing;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.DomainCodecs;
import org.meshchain.core.types.QuorumCertificate;
import org.meshchain.core.types.ValidatorSignature;
import org.meshchain.node.peers.InboundInspector;
import org.meshchain.node.sync.BulkSyncMessage;
import org.meshchain.node.wire.PeerEnvelope;
import org.meshchain.node.wire.WireCodec;

/**
 * A validator down for 300+ blocks restarts, finds itself far behind, switches to bulk sync (reported as
 * syncing, so readiness fails), catches up from certified blocks served by its peers, hands back to
 * consensus and votes again, never signing two different votes or timeouts for one round. While it
 * syncs, one response of validator 1 is replaced (through the same envelope path, validly signed by
 * validator 1) by one whose first certificate carries a forged signature: it is rejected and
 * validator 1 is penalised; validator 2 loses the first request it gets and is dropped after the request
 * timeout; sync completes from the others.
 */
class BulkSyncCatchUpTest {

    private static final int BLOCKS_DOWN = 300;

    @TempDir
    Path dir;

    private final WireCodec codec = new WireCodec(DomainCodecs.DEFAULT, 100, 5000);
    @Test
    void farBehindValidatorBulkSyncsRejectsAForgedCertificateAndVotesAgain() throws Exception {
        try (ClusterFixture cluster = ClusterFixture.prepare(dir, 4, 2, i -> """
                meshchain.node.consensus.min-block-interval = 10ms
                meshchain.node.sync.far-behind-blocks = 40
                meshchain.node.sync.batch-blocks = 25
                meshchain.node.sync.max-in-flight = 3
                meshchain.node.sync.max-buffered-blocks = 150
                meshchain.node.sync.request-timeout = 2s
                """)) {
            List<Ed25519PrivateKey> keys = cluster.devnet.validatorKeys();
            Address restarted = Address.of(keys.get(3).publicKey());
            Address liar = Address.of(keys.get(1).publicKey());
            VoteRecorder votes = new VoteRecorder(restarted);
            InboundInspector everywhere = votes.inspector();
            // validator 2 never answers the first bulk sync request it gets (its PeerActor throws, the
            // request is lost): a slow peer, dropped for the session and penalised after the request timeout
            AtomicBoolean swallowed = new AtomicBoolean();
            InboundInspector slowServer = (from, kind, payload) -> {
                votes.record(from, kind, payload);
                if (from.equals(restarted) && kind == WireCodec.Kind.BULK_SYNC_REQUEST && swallowed.compareAndSet(false, true)) {
                    throw new IllegalStateException("losing a bulk sync request (test fault injection)");
                }
            };
            for (int i = 0; i < 4; i++) {
                cluster.devnet.start(i, cluster.options().withInspector(i == 2 ? slowServer : everywhere));
            }
            ClusterFixture.await("height 5 on every validator", Duration.ofSeconds(60),
                    () -> cluster.devnet.running().stream().allMatch(n -> n.state().committedHeight() >= 5));
            long votesBeforeStop = votes.recorded();
            assertThat(votesBeforeStop).as("votes of validator 3 seen before the stop").isPositive();

            long heightOfThreeAtStop = cluster.node(3).state().committedHeight();
            cluster.devnet.stop(3);
            long stoppedAt = cluster.node(0).state().committedHeight();
            ClusterFixture.await(BLOCKS_DOWN + " blocks committed without validator 3", Duration.ofSeconds(120),
                    () -> cluster.node(0).state().committedHeight() >= stoppedAt + BLOCKS_DOWN);

            // on the restarted validator: the first bulk sync response of validator 1 is dropped (its
            // PeerActor throws, as on a poisoned message) and replaced by a forged one, signed by validator 1
            AtomicReference<Node> backRef = new AtomicReference<>();
            AtomicBoolean forged = new AtomicBoolean();
            InboundInspector onRestarted = (from, kind, payload) -> {
                votes.record(from, kind, payload);
                Node node = backRef.get();
                if (node == null || !from.equals(liar) || kind != WireCodec.Kind.BULK_SYNC_RESPONSE || forged.get()) {
                    return;
                }
                BulkSyncMessage.Response real;
                try {
                    real = (BulkSyncMessage.Response) codec.decodeBulkSync(kind, payload);
                } catch (DecodeException e) {
                    throw new IllegalStateException(e);
                }
                if (real.blocks().isEmpty()) {
                    return;
                }
                forged.set(true);
                BulkSyncMessage.Response lie = withForgedSignature(real, keys);
                PeerEnvelope envelope = PeerEnvelope.sign(cluster.devnet.genesis().chainId(), keys.get(1), restarted,
                        WireCodec.Kind.BULK_SYNC_RESPONSE, codec.encode(lie));
                ActorRef<PeerEnvelope> peers = ActorRefResolver.get(node.system())
                        .resolveActorRef(node.system().address() + "/user/peers");
                peers.tell(envelope);
                throw new IllegalStateException("dropping the real response (test fault injection)");
            };

            Node back = cluster.devnet.start(3, cluster.options().withInspector(onRestarted));
            backRef.set(back);
            long restartHeight = back.state().committedHeight();
            assertThat(restartHeight).as("resumes from its data directory").isGreaterThanOrEqualTo(heightOfThreeAtStop);
            assertThat(cluster.node(0).state().committedHeight() - restartHeight).isGreaterThanOrEqualTo(BLOCKS_DOWN);

            AtomicBoolean sawSyncing = new AtomicBoolean();
            double[] lowestLiarScore = {Double.MAX_VALUE};
            ClusterFixture.await("validator 3 catches up", Duration.ofSeconds(90), () -> {
                if (back.state().bulkSyncing() && back.state().syncing()) {
                    sawSyncing.set(true);
                }
                back.services().peers().stream().filter(p -> p.validator().equals(liar))
                        .forEach(p -> lowestLiarScore[0] = Math.min(lowestLiarScore[0], p.score()));
                return !back.state().bulkSyncing() && back.state().bulkSyncSessions() > 0
                        && back.state().committedHeight() >= cluster.node(0).state().committedHeight() - 5;
            });
            assertThat(sawSyncing).as("status reported syncing (readiness down) during bulk sync").isTrue();
            assertThat(back.state().bulkSyncedBlocks()).as("blocks committed through the bulk path")
                    .isGreaterThanOrEqualTo(BLOCKS_DOWN - 60);

            assertThat(forged).as("a forged response was injected").isTrue();
            var registry = back.services().metrics();
            String metrics = registry.render();
            assertThat(metrics).contains("meshchain_bulk_sync_rejected_total{reason=\"invalid_certificate\"} ");
            assertThat(metrics).contains("meshchain_peer_penalties_total{reason=\"invalid-signature\"} ");
            assertThat(swallowed).as("validator 2 lost a request").isTrue();
            assertThat(metrics).as("the unanswered request timed out").contains("meshchain_bulk_sync_rejected_total{reason=\"timeout\"} ");
            // the penalty (20) shows in the score until it recovers (1/s)
            assertThat(lowestLiarScore[0]).as("validator 1 penalised on the restarted node").isLessThanOrEqualTo(85.0);

            votes.awaitSignedCertificate(cluster.node(0), "a certificate signed by validator 3 after bulk sync");

            votes.assertVotedAgainWithoutDoubleSigning(votesBeforeStop);
        }
    }

    /** The same response, its first certificate's first signature replaced by the signer's signature over other bytes. */
    private static BulkSyncMessage.Response withForgedSignature(BulkSyncMessage.Response real, List<Ed25519PrivateKey> keys) {
        List<BulkSyncMessage.CertifiedBlock> blocks = new ArrayList<>(real.blocks());
        BulkSyncMessage.CertifiedBlock first = blocks.get(0);
        QuorumCertificate qc = first.certificate();
        List<ValidatorSignature> signatures = new ArrayList<>(qc.signatures());
        Address signer = signatures.get(0).validator();
        Ed25519PrivateKey signerKey = keys.stream().filter(k -> Address.of(k.publicKey()).equals(signer)).findFirst().orElseThrow();
        signatures.set(0, new ValidatorSignature(signer, Ed25519.sign(signerKey, Hashing.sha256(new byte[] {1, 2, 3}))));
        blocks.set(0, new BulkSyncMessage.CertifiedBlock(first.block(), new QuorumCertificate(qc.voteData(), signatures)));
        return new BulkSyncMessage.Response(real.fromHeight(), blocks, real.responderHeight());
    }
}
