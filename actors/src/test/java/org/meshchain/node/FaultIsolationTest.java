package org.meshchain.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.DomainCodecs;
import org.meshchain.node.peers.InboundInspector;
import org.meshchain.node.port.NodeExtension;
import org.meshchain.node.port.PeerInfo;
import org.meshchain.node.wire.WireCodec;
import org.meshchain.persistence.DataLayout;
import org.meshchain.persistence.chain.ChainStore;
import org.meshchain.persistence.chain.ChainStoreConfig;

/** DESIGN 5.5: a failing peer actor restarts and the node keeps committing; a storage failure stops the node cleanly. */
class FaultIsolationTest {

    @TempDir
    Path dir;

    @Test
    void peerActorThrowingOnPoisonedMessagesRestartsAndTheNodeKeepsCommitting() throws Exception {
        try (ClusterFixture cluster = ClusterFixture.prepare(dir, 4, 2, null)) {
            Address poisoner = Address.of(cluster.devnet.validatorKeys().get(1).publicKey());
            AtomicInteger thrown = new AtomicInteger();
            // On validator 0 only: the first five proposals of validator 1 make its PeerActor throw.
            InboundInspector poison = (from, kind, payload) -> {
                if (from.equals(poisoner) && kind == WireCodec.Kind.PROPOSAL && thrown.get() < 5) {
                    thrown.incrementAndGet();
                    throw new IllegalStateException("poisoned proposal (test fault injection)");
                }
            };
            cluster.devnet.startAll(DefaultExecutors.factory(), i -> List.<NodeExtension>of(), InboundInspector.NONE);
            cluster.devnet.stop(0);
            Node victim = cluster.devnet.start(0, cluster.options().withInspector(poison));
            ClusterFixture.await("five poisoned proposals", Duration.ofSeconds(90), () -> thrown.get() >= 5);
            long height = victim.state().committedHeight();
            ClusterFixture.await("validator 0 keeps committing after its peer actor's crashes", Duration.ofSeconds(60),
                    () -> victim.state().committedHeight() >= height + 10);
            PeerInfo peer = victim.services().peers().stream().filter(p -> p.validator().equals(poisoner)).findFirst()
                    .orElseThrow();
            assertThat(peer.connected()).as("messages of validator 1 are accepted again after the restarts").isTrue();
            assertThat(peer.bannedUntil()).isEmpty();
        }
    }

    @Test
    void aFailingApiServerDoesNotStopConsensusAndComesBackWhenItCan() throws Exception {
        try (ClusterFixture cluster = ClusterFixture.prepare(dir, 4, 1, null);
                java.net.ServerSocket occupied = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            int port = occupied.getLocalPort();
            // validator 0's API server cannot bind: it fails, and its supervisor restarts it with backoff
            NodeExtension api = org.meshchain.node.api.ApiServer.extension(
                    org.meshchain.node.api.ApiConfig.defaults("127.0.0.1", port), java.util.Optional.empty());
            cluster.devnet.startAll(DefaultExecutors.factory(), i -> i == 0 ? List.of(api) : List.<NodeExtension>of(),
                    InboundInspector.NONE);
            Node node = cluster.node(0);
            ClusterFixture.await("validator 0 commits while its API server keeps failing", Duration.ofSeconds(60),
                    () -> node.state().committedHeight() >= 8);
            occupied.close();
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            java.net.URI status = java.net.URI.create("http://127.0.0.1:" + port + "/v1/status");
            ClusterFixture.await("the restarted API server answers once the port is free", Duration.ofSeconds(60), () -> {
                try {
                    return http.send(java.net.http.HttpRequest.newBuilder(status).build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
                } catch (java.io.IOException | InterruptedException e) {
                    return false;
                }
            });
            long height = node.state().committedHeight();
            ClusterFixture.await("and consensus goes on", Duration.ofSeconds(30), () -> node.state().committedHeight() >= height + 3);
        }
    }

    @Test
    void storageFailureStopsTheNodeCleanlyAndTheOthersKeepCommitting() throws Exception {
        // validator 3's disk quota is the minimum (1 MiB): its store refuses a commit once RocksDB reaches it
        try (ClusterFixture cluster = ClusterFixture.prepare(dir, 4, 2,
                i -> i == 3 ? "meshchain.node.storage.quota-bytes = 1m" : null).startAll()) {
            Node failing = cluster.node(3);
            failing.whenTerminated().toCompletableFuture().get(120, TimeUnit.SECONDS);
            assertThat(failing.failure()).contains("storage failed");
            assertThat(failing.state().storageOpen()).isFalse();
            long height = cluster.node(0).state().committedHeight();
            ClusterFixture.await("the other three keep committing", Duration.ofSeconds(60),
                    () -> cluster.node(0).state().committedHeight() >= height + 5);
            // the store was closed: it opens again (RocksDB's lock is free) at a consistent head
            Path chainDir = new DataLayout(cluster.devnet.layout().validatorDir(3).resolve("data")).chain();
            try (ChainStore reopened = ChainStore.open(chainDir, ChainStoreConfig.DEFAULT, DomainCodecs.DEFAULT)) {
                assertThat(reopened.head()).isPresent();
                assertThat(reopened.head().get().height()).isLessThan(cluster.node(0).state().committedHeight());
            }
        }
    }
}
