package org.meshchain.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.meshchain.node.execution.TokenContract.access;
import static org.meshchain.node.execution.TokenContract.balanceKey;
import static org.meshchain.node.execution.TokenContract.tokenArgs;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.meshchain.core.ledger.Ledger;
import org.meshchain.core.types.Payload;
import org.meshchain.core.types.SignedTransaction;
import org.meshchain.core.types.TransactionBody;
import org.meshchain.node.port.SubmitOutcome;
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

/**
 * Signed transfers (a steady load over all four validators) and a token contract's deploy and calls
 * are committed with identical blocks and state roots everywhere, and every node sees the same
 * contract state.
 */
class TransfersTest {

    @TempDir
    Path dir;

    @Test
    void transfersAndContractCallsAreCommittedWithIdenticalStateRootsOnEveryValidator() throws Exception {
        try (ClusterFixture cluster = ClusterFixture.prepare(dir, 4, 9, null).startAll();
                DemoLoad load = new DemoLoad(cluster.devnet.demoKeys().subList(0, 8), () -> cluster.devnet.running().stream()
                        .map(n -> (NodeServices) n.services()).toList())) {
            load.start(100);
            Ed25519PrivateKey alice = cluster.devnet.demoKeys().get(8);
            Address token = deployAndUseToken(cluster.node(1).services(), alice,
                    Address.of(cluster.devnet.demoKeys().get(0).publicKey()));
            Address aliceAddress = Address.of(alice.publicKey());
            Address bob = Address.of(cluster.devnet.demoKeys().get(0).publicKey());
            for (int i = 0; i < 4; i++) {
                NodeServices services = cluster.node(i).services();
                ClusterFixture.await("token state on validator " + i, Duration.ofSeconds(60),
                        () -> services.readState(StatePaths.storage(token, balanceKey(bob))).isPresent());
                assertThat(services.readState(StatePaths.storage(token, balanceKey(bob)))).contains(le(300));
                assertThat(services.readState(StatePaths.storage(token, balanceKey(aliceAddress)))).contains(le(700));
            }
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
            assertThat(total).isEqualTo(9 * org.meshchain.node.devnet.Devnet.DEMO_BALANCE);
            assertThat(cluster.node(0).state().committedTransactions()).isGreaterThanOrEqualTo(300);
            // the four ActorSystems form one Pekko cluster, every member Up with role validator
            for (int i = 0; i < 4; i++) {
                org.apache.pekko.cluster.typed.Cluster member = org.apache.pekko.cluster.typed.Cluster.get(cluster.node(i).system());
                ClusterFixture.await("validator " + i + " sees 4 validators Up", Duration.ofSeconds(30), () -> {
                    int up = 0;
                    for (org.apache.pekko.cluster.Member m : member.state().getMembers()) {
                        if (m.status() == org.apache.pekko.cluster.MemberStatus.up() && m.hasRole("validator")) {
                            up++;
                        }
                    }
                    return up == 4;
                });
            }
        }
    }

    /** Deploys the example token, initialises it, mints 1,000 to Alice and moves 300 to Bob (demo account 0). */
    private Address deployAndUseToken(NodeServices node, Ed25519PrivateKey alice, Address bob) throws Exception {
        Address sender = Address.of(alice.publicKey());
        Address token = Ledger.contractAddress(sender, 0);
        Bytes owner = Bytes.of(new byte[] {'o'});
        Bytes code;
        try (InputStream in = TransfersTest.class.getResourceAsStream("/org/meshchain/wasm/contracts/token.wasm")) {
            code = Bytes.of(in.readAllBytes());
        }
        List<Payload> payloads = List.of(
                new Payload.Deploy(code),
                new Payload.Call(token, "init", Bytes.EMPTY, 1_000_000, access(List.of(), List.of(owner))),
                new Payload.Call(token, "mint", tokenArgs(sender, 1_000), 1_000_000,
                        access(List.of(owner), List.of(balanceKey(sender)))),
                new Payload.Call(token, "transfer", tokenArgs(bob, 300), 1_000_000,
                        access(List.of(), List.of(balanceKey(sender), balanceKey(bob)))));
        for (int nonce = 0; nonce < payloads.size(); nonce++) {
            TransactionBody body = new TransactionBody(node.chainId(), sender, nonce, 100, 10_000, payloads.get(nonce));
            SubmitOutcome outcome = node.submitTransaction(SignedTransaction.sign(body, alice)).toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            assertThat(outcome).isInstanceOf(SubmitOutcome.Accepted.class);
        }
        return token;
    }

    static Bytes le(long value) {
        return Bytes.of(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value).array());
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
