package org.meshchain.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.state.AccountState;
import org.meshchain.core.state.StatePaths;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.QuorumCertificate;
import org.meshchain.node.devnet.DemoLoad;
import org.meshchain.node.port.NodeServices;
import org.meshchain.persistence.chain.ChainView;
import org.meshchain.persistence.chain.StateDelta;

/** Signed transfers submitted to all four validators are committed with identical blocks and state roots everywhere. */
class TransfersTest {

    @TempDir
    Path dir;

    @Test
    void transfersAreCommittedWithIdenticalStateRootsOnEveryValidator() throws Exception {
        try (ClusterFixture cluster = ClusterFixture.prepare(dir, 4, 8, null).startAll();
                DemoLoad load = new DemoLoad(cluster.devnet.demoKeys(), () -> cluster.devnet.running().stream()
                        .map(n -> (NodeServices) n.services()).toList())) {
            load.start(100);
            ClusterFixture.await("300 transfers committed", Duration.ofSeconds(120),
                    () -> cluster.node(0).state().committedTransactions() >= 300);
            load.close();
            long target = cluster.node(0).state().committedHeight() + 3;
            ClusterFixture.await("every validator at height " + target, Duration.ofSeconds(60),
                    () -> cluster.devnet.running().stream().allMatch(n -> n.state().committedHeight() >= target));

            List<QuorumCertificate> reference = certificates(cluster.node(0), target);
            for (int i = 1; i < 4; i++) {
                List<QuorumCertificate> other = certificates(cluster.node(i), target);
                for (int h = 0; h <= target; h++) {
                    assertThat(other.get(h).voteData().blockId()).as("block at height " + h + " on validator " + i)
                            .isEqualTo(reference.get(h).voteData().blockId());
                    assertThat(other.get(h).voteData().stateRoot()).as("state root at height " + h + " on validator " + i)
                            .isEqualTo(reference.get(h).voteData().stateRoot());
                }
            }
            // money is conserved: demo balances plus fees paid to proposers equal the genesis total
            long total = 0;
            try (ChainView view = cluster.node(0).services().openChainView()) {
                List<Address> holders = new ArrayList<>();
                for (Ed25519PrivateKey key : cluster.devnet.demoKeys()) {
                    holders.add(Address.of(key.publicKey()));
                }
                for (Ed25519PrivateKey key : cluster.devnet.validatorKeys()) {
                    holders.add(Address.of(key.publicKey()));
                }
                for (Address holder : holders) {
                    var value = view.state(StateDelta.Column.VALUES, StatePaths.account(holder).toByteArray());
                    if (value.isPresent()) {
                        AccountState account = AccountState.decode(Bytes.of(value.get()));
                        total += account.balance() + account.locked();
                    }
                }
            }
            assertThat(total).isEqualTo(8 * org.meshchain.node.devnet.Devnet.DEMO_BALANCE);
            assertThat(cluster.node(0).state().committedTransactions()).isGreaterThanOrEqualTo(300);
        }
    }

    private static List<QuorumCertificate> certificates(Node node, long upTo) {
        List<QuorumCertificate> list = new ArrayList<>();
        try (ChainView view = node.services().openChainView()) {
            for (long h = 0; h <= upTo; h++) {
                list.add(view.certificateAt(h).orElseThrow());
            }
        }
        return list;
    }
}
