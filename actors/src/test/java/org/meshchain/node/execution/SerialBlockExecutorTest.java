package org.meshchain.node.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.meshchain.node.execution.TokenContract.access;
import static org.meshchain.node.execution.TokenContract.balanceKey;
import static org.meshchain.node.execution.TokenContract.tokenArgs;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.ledger.Ledger;
import org.meshchain.core.ledger.Receipt;
import org.meshchain.core.state.AccountState;
import org.meshchain.core.state.StatePaths;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.Payload;
import org.meshchain.core.types.SignedTransaction;
import org.meshchain.wasm.WasmContractRuntime;
import org.meshchain.wasm.WasmRuntime;

class SerialBlockExecutorTest {

    static final Ed25519PrivateKey ALICE = TestChain.key(1);
    static final Ed25519PrivateKey BOB = TestChain.key(2);
    static final Ed25519PrivateKey CAROL = TestChain.key(3);

    static WasmRuntime wasm;
    static ExecutorService thread;

    @TempDir
    Path dir;
    TestChain chain;
    SerialBlockExecutor executor;

    @BeforeAll
    static void startRuntime() {
        wasm = new WasmRuntime();
        thread = Executors.newSingleThreadExecutor();
    }

    @AfterAll
    static void stopRuntime() {
        wasm.close();
        thread.shutdownNow();
    }

    @BeforeEach
    void open() throws Exception {
        chain = new TestChain(dir);
        chain.commitGenesis(TestChain.fund(List.of(ALICE, BOB), 1_000_000));
        executor = new SerialBlockExecutor(new Ledger(Ledger.Config.of(TestChain.CHAIN), new WasmContractRuntime(wasm)),
                chain.committed, thread);
    }

    @AfterEach
    void close() {
        chain.close();
    }

    private AccountState account(Ed25519PrivateKey key) throws Exception {
        return chain.state.valueAtHead(StatePaths.account(TestChain.address(key))).map(v -> {
            try {
                return AccountState.decode(v);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).orElse(AccountState.EMPTY);
    }

    private Hash32 headId() {
        return chain.chain.head().orElseThrow().blockId();
    }

    @Test
    void transfersProduceTheRootTheStoreReproducesWhenItStagesTheUpdates() throws Exception {
        List<SignedTransaction> txs = List.of(
                TestChain.tx(ALICE, 0, 10, new Payload.Transfer(TestChain.address(BOB), 500)),
                TestChain.tx(BOB, 0, 7, new Payload.Transfer(TestChain.address(CAROL), 2_000)),
                TestChain.tx(ALICE, 5, 10, new Payload.Transfer(TestChain.address(BOB), 1)), // wrong nonce: discarded
                TestChain.tx(CAROL, 0, 1, new Payload.Transfer(TestChain.address(ALICE), 1_000_000_000))); // cannot pay
        Block block = TestChain.block(1, headId(), txs);
        ExecutedBlock executed = executor.execute(block, List.of()).toCompletableFuture().get();

        assertThat(executed.receipts()).hasSize(4);
        List<Receipt> receipts = decode(executed.receipts());
        assertThat(receipts).extracting(Receipt::status).containsExactly(Receipt.Status.SUCCESS, Receipt.Status.SUCCESS,
                Receipt.Status.DISCARDED, Receipt.Status.FAILED);
        assertThat(receipts.get(2).errorCode()).isEqualTo("nonce_mismatch");
        assertThat(receipts.get(3).errorCode()).isEqualTo("insufficient_balance");
        assertThat(executed.stateUpdates()).isSortedAccordingTo((a, b) -> a.path().compareTo(b.path()));

        Hash32 staged = chain.commit(block, executed);
        assertThat(staged).isEqualTo(executed.stateRoot());
        assertThat(account(ALICE)).isEqualTo(new AccountState(1_000_000 - 510, 0, 1));
        assertThat(account(BOB)).isEqualTo(new AccountState(1_000_000 + 500 - 2_007, 0, 1));
        // Carol received 2,000 and paid the fee of her failed transfer
        assertThat(account(CAROL)).isEqualTo(new AccountState(2_000 - 1, 0, 1));
        assertThat(chain.state.valueAtHead(StatePaths.account(TestChain.address(TestChain.PROPOSER)))
                .map(v -> v.length()).isPresent()).isTrue();
    }

    @Test
    void aPipelinedChildExecutesOnItsUncommittedParentAndAfterTheParentIsCommitted() throws Exception {
        Block b1 = TestChain.block(1, headId(), List.of(
                TestChain.tx(ALICE, 0, 1, new Payload.Transfer(TestChain.address(CAROL), 100))));
        ExecutedBlock e1 = executor.execute(b1, List.of()).toCompletableFuture().get();
        Block b2 = TestChain.block(2, b1.id(), List.of(
                TestChain.tx(CAROL, 0, 1, new Payload.Transfer(TestChain.address(BOB), 50)),
                TestChain.tx(ALICE, 1, 1, new Payload.Transfer(TestChain.address(BOB), 5))));
        ExecutedBlock e2 = executor.execute(b2, List.of(e1)).toCompletableFuture().get();
        assertThat(decode(e2.receipts())).allMatch(Receipt::succeeded);

        assertThat(chain.commit(b1, e1)).isEqualTo(e1.stateRoot());
        // the parent is committed now: the executor skips it in the ancestor list and gets the same result
        ExecutedBlock again = executor.execute(b2, List.of(e1)).toCompletableFuture().get();
        assertThat(again).isEqualTo(e2);
        assertThat(executor.execute(b2, List.of()).toCompletableFuture().get()).isEqualTo(e2);
        assertThat(chain.commit(b2, e2)).isEqualTo(e2.stateRoot());
        assertThat(account(CAROL)).isEqualTo(new AccountState(100 - 50 - 1, 0, 1));
    }

    @Test
    void aBlockThatDoesNotFollowItsPreStateIsRefused() {
        Block gap = TestChain.block(3, headId(), List.of());
        assertThatThrownBy(() -> executor.executeNow(gap, List.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not follow");
    }

    @Test
    void tokenContractDeployCallsAndALyingAccessSetThroughTheRealWasmRuntime() throws Exception {
        Address alice = TestChain.address(ALICE);
        Address bob = TestChain.address(BOB);
        Address carol = TestChain.address(CAROL);
        Address token = Ledger.contractAddress(alice, 0);
        Bytes owner = Bytes.of(new byte[] {'o'});
        List<SignedTransaction> txs = new ArrayList<>();
        txs.add(TestChain.tx(ALICE, 0, 100, new Payload.Deploy(TestChain.contract("token.wasm"))));
        txs.add(TestChain.tx(ALICE, 1, 10, new Payload.Call(token, "init", Bytes.EMPTY, 1_000_000, access(List.of(), List.of(owner)))));
        txs.add(TestChain.tx(ALICE, 2, 10, new Payload.Call(token, "mint", tokenArgs(alice, 1_000), 1_000_000,
                access(List.of(owner), List.of(balanceKey(alice))))));
        txs.add(TestChain.tx(ALICE, 3, 10, new Payload.Call(token, "transfer", tokenArgs(bob, 300), 1_000_000,
                access(List.of(), List.of(balanceKey(alice), balanceKey(bob))))));
        // declares only its own balance key: the write to Carol's key is an access violation
        txs.add(TestChain.tx(ALICE, 4, 10, new Payload.Call(token, "transfer", tokenArgs(carol, 10), 1_000_000,
                access(List.of(), List.of(balanceKey(alice))))));
        Block block = TestChain.block(1, headId(), txs);
        ExecutedBlock executed = executor.execute(block, List.of()).toCompletableFuture().get();
        List<Receipt> receipts = decode(executed.receipts());

        assertThat(receipts.get(0).succeeded()).isTrue();
        assertThat(receipts.get(0).output()).isEqualTo(Bytes.of(token.hash().toByteArray()));
        assertThat(receipts.subList(1, 4)).allMatch(Receipt::succeeded);
        assertThat(receipts.get(3).events()).hasSize(1);
        assertThat(receipts.get(3).gasUsed()).isPositive();
        assertThat(receipts.get(4).status()).isEqualTo(Receipt.Status.FAILED);
        assertThat(receipts.get(4).errorCode()).isEqualTo("contract_failed.access_violation");
        assertThat(receipts.get(4).feeCharged()).isEqualTo(10);
        assertThat(receipts.get(4).gasUsed()).isPositive();
        assertThat(executed.gasUsed()).isEqualTo(receipts.stream().mapToLong(Receipt::gasUsed).sum());

        assertThat(chain.commit(block, executed)).isEqualTo(executed.stateRoot());
        assertThat(chain.state.valueAtHead(StatePaths.storage(token, balanceKey(bob))))
                .contains(Bytes.of(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(300).array()));
        assertThat(chain.state.valueAtHead(StatePaths.storage(token, balanceKey(alice))))
                .contains(Bytes.of(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(700).array()));
        assertThat(chain.state.valueAtHead(StatePaths.storage(token, balanceKey(carol)))).isEmpty();
        assertThat(account(ALICE)).isEqualTo(new AccountState(1_000_000 - 140, 0, 5));
    }

    @Test
    void theFirstBlockOfAnEmptyStoreExecutesOnTheEmptyTree(@TempDir Path emptyDir) throws Exception {
        try (TestChain empty = new TestChain(emptyDir)) {
            SerialBlockExecutor onEmpty = new SerialBlockExecutor(new Ledger(Ledger.Config.of(TestChain.CHAIN),
                    new WasmContractRuntime(wasm)), empty.committed, thread);
            // nobody is funded: the transfer is discarded and the block changes nothing
            Block first = TestChain.block(0, Hash32.ZERO, List.of(
                    TestChain.tx(CAROL, 0, 1, new Payload.Transfer(TestChain.address(ALICE), 1))));
            ExecutedBlock executed = onEmpty.execute(first, List.of()).toCompletableFuture().get();
            assertThat(decode(executed.receipts())).extracting(Receipt::status).containsExactly(Receipt.Status.DISCARDED);
            assertThat(executed.stateUpdates()).isEmpty();
            assertThat(executed.stateRoot()).isEqualTo(Hash32.ZERO);
            assertThat(empty.commit(first, executed)).isEqualTo(executed.stateRoot());
        }
    }

    static List<Receipt> decode(List<Bytes> encoded) throws Exception {
        List<Receipt> out = new ArrayList<>();
        for (Bytes b : encoded) {
            Receipt r = Receipt.decode(b);
            assertThat(r.encode()).isEqualTo(b);
            out.add(r);
        }
        return out;
    }
}
