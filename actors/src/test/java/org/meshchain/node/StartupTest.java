package org.meshchain.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meshchain.core.types.DomainCodecs;
import org.meshchain.node.config.ConfigError;
import org.meshchain.node.config.NodeConfig;
import org.meshchain.node.genesis.Genesis;
import org.meshchain.persistence.DataLayout;
import org.meshchain.persistence.chain.ChainStore;
import org.meshchain.persistence.chain.ChainStoreConfig;

/** Typed config errors name key, value and rule; a failed start-up leaves nothing open; genesis is checked. */
class StartupTest {

    @TempDir
    Path dir;

    private static Config withNode(String node) {
        return ConfigFactory.parseString(node).withFallback(ConfigFactory.defaultReference()).resolve();
    }

    private static final String REQUIRED = """
            meshchain.node.data-dir = "/tmp/x"
            meshchain.node.key-file = "/tmp/x.key"
            meshchain.node.genesis-file = "/tmp/g.json"
            """;

    @Test
    void configErrorsNameKeyValueAndRule() {
        assertThatThrownBy(() -> NodeConfig.from(withNode(REQUIRED + "meshchain.node.cluster.port = 70000")))
                .isInstanceOf(ConfigError.class)
                .hasMessage("config meshchain.node.cluster.port = 70000: must be in 0..65535");
        assertThatThrownBy(() -> NodeConfig.from(withNode(REQUIRED + "meshchain.node.consensus.base-timeout = fast")))
                .hasMessageContaining("meshchain.node.consensus.base-timeout = fast")
                .hasMessageContaining("must be a duration");
        assertThatThrownBy(() -> NodeConfig.from(withNode("meshchain.node.key-file = \"k\"\nmeshchain.node.genesis-file = \"g\"")))
                .hasMessage("config meshchain.node.data-dir = missing: must be set");
        assertThatThrownBy(() -> NodeConfig.from(withNode(REQUIRED + "meshchain.node.peers.ban-threshold = 200")))
                .hasMessageContaining("meshchain.node.peers.ban-threshold = 200.0: must be below peers.initial-score");
        assertThatThrownBy(() -> NodeConfig.from(withNode(REQUIRED
                + "meshchain.node.cluster.peers = [{validator = \"zz\", host = \"h\", port = 1}]")))
                .hasMessage("config meshchain.node.cluster.peers[0].validator = zz: must be a validator address (64 hex digits)");
        assertThatThrownBy(() -> NodeConfig.from(withNode(REQUIRED + "meshchain.node.cluster.seed-nodes = [\"nohost\"]")))
                .hasMessage("config meshchain.node.cluster.seed-nodes[0] = nohost: must be host:port");
        NodeConfig ok = NodeConfig.from(withNode(REQUIRED));
        assertThat(ok.mempool().capacity()).isEqualTo(100_000);
        assertThat(ok.peerLimits().banThreshold()).isEqualTo(0);
    }

    @Test
    void submissionBoundHasAValidatedDefault() {
        assertThat(NodeConfig.from(withNode(REQUIRED)).mempool().maxInFlightSubmissions()).isEqualTo(2_000);
        assertThat(NodeConfig.from(withNode(REQUIRED + "meshchain.node.mempool.max-in-flight-submissions = 5"))
                .mempool().maxInFlightSubmissions()).isEqualTo(5);
        assertThatThrownBy(() -> NodeConfig.from(withNode(REQUIRED + "meshchain.node.mempool.max-in-flight-submissions = 0")))
                .isInstanceOf(ConfigError.class)
                .hasMessage("config meshchain.node.mempool.max-in-flight-submissions = 0: must be in 1..1000000");
    }

    @Test
    void syncAndSignatureCacheSettingsHaveValidatedDefaults() {
        NodeConfig ok = NodeConfig.from(withNode(REQUIRED));
        assertThat(ok.sync()).isEqualTo(new NodeConfig.Sync(50, 50, 4, 400, java.time.Duration.ofSeconds(5)));
        assertThat(ok.verifiedSignatureCache()).isEqualTo(200_000);
        assertThatThrownBy(() -> NodeConfig.from(withNode(REQUIRED + "meshchain.node.sync.far-behind-blocks = 1")))
                .hasMessage("config meshchain.node.sync.far-behind-blocks = 1: must be in 2..1000000");
        assertThatThrownBy(() -> NodeConfig.from(withNode(REQUIRED + "meshchain.node.sync.max-buffered-blocks = 100")))
                .hasMessage("config meshchain.node.sync.max-buffered-blocks = 100: must be at least sync.batch-blocks x sync.max-in-flight (200)");
        assertThatThrownBy(() -> NodeConfig.from(withNode(REQUIRED + "meshchain.node.execution.verified-signature-cache = -1")))
                .hasMessageContaining("meshchain.node.execution.verified-signature-cache = -1");
        assertThatThrownBy(() -> NodeConfig.from(withNode(REQUIRED + "meshchain.node.sync.request-timeout = soon")))
                .hasMessageContaining("must be a duration");
    }

    @Test
    void aStartThatFailsLateClosesTheStoreAndLeavesThePortFree() throws Exception {
        try (ClusterFixture cluster = ClusterFixture.prepare(dir, 4, 1, null)) {
            int port = cluster.devnet.layout().port(0);
            try (ServerSocket taken = new ServerSocket(port, 50, InetAddress.getByName("127.0.0.1"))) {
                assertThatThrownBy(() -> cluster.devnet.start(0, cluster.options())).isInstanceOf(RuntimeException.class);
            }
            // the store was opened (genesis committed) and closed again: it opens, and the node starts on the freed port
            Path chain = new DataLayout(cluster.devnet.layout().validatorDir(0).resolve("data")).chain();
            try (ChainStore store = ChainStore.open(chain, ChainStoreConfig.DEFAULT, DomainCodecs.DEFAULT)) {
                assertThat(store.head()).isPresent();
            }
            Node node = cluster.devnet.start(0, cluster.options());
            assertThat(node.state().storageOpen()).isTrue();
        }
    }

    @Test
    void aDataDirectoryOfAnotherChainIsRefused() throws Exception {
        try (ClusterFixture cluster = ClusterFixture.prepare(dir, 4, 1, null)) {
            cluster.devnet.start(0, cluster.options());
            cluster.devnet.stop(0);
            Genesis original = cluster.devnet.genesis();
            Genesis other = new Genesis(original.chainId(), original.genesisTimeMs() + 1, original.validatorKeys(),
                    original.accounts());
            Files.writeString(cluster.devnet.layout().genesisFile(), other.toJson());
            assertThatThrownBy(() -> cluster.devnet.start(0, cluster.options()))
                    .hasMessageContaining("belongs to another genesis");
            Path chain = new DataLayout(cluster.devnet.layout().validatorDir(0).resolve("data")).chain();
            try (ChainStore store = ChainStore.open(chain, ChainStoreConfig.DEFAULT, DomainCodecs.DEFAULT)) {
                assertThat(store.head().orElseThrow().height()).isZero();
            }
        }
    }

    @Test
    void genesisFileRoundTripsAndRejectsBadInputByName() {
        assertThatThrownBy(() -> Genesis.parse("{\"chain-id\": \"c\", \"genesis-time-ms\": 1, \"validators\": [\"00\"], "
                + "\"accounts\": []}", "test"))
                .hasMessage("genesis validators = 00: must be 64 hex digits of a public key");
        assertThatThrownBy(() -> Genesis.parse("{\"chain-id\": \"c\", \"genesis-time-ms\": -5, \"validators\": [], "
                + "\"accounts\": []}", "test"))
                .hasMessageContaining("genesis genesis-time-ms = -5: must not be negative");
        assertThatThrownBy(() -> Genesis.parse("not json", "test")).hasMessageContaining("is not valid JSON");
    }
}
