package org.meshchain.node.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.ledger.Ledger;
import org.meshchain.core.ledger.LedgerAccountReader;
import org.meshchain.core.ledger.Receipt;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.Payload;
import org.meshchain.core.types.SignedTransaction;
import org.meshchain.wasm.WasmContractRuntime;
import org.meshchain.wasm.WasmRuntime;

/**
 * Equivalence is the law (DESIGN 4): for random blocks the pool's result — state root, receipt root,
 * every receipt, the state updates and gas — is bit-identical to serial execution, for 1, 2, 4 and 8
 * executors, including a pipelined child executed on its uncommitted parent.
 */
class ParallelEquivalenceTest {

    static final int[] EXECUTOR_COUNTS = {1, 2, 4, 8};
    static Path dir;
    static TestChain chain;
    static WasmRuntime wasm;
    static Ledger ledger;
    static SerialBlockExecutor serial;
    static ActorTestKit testKit;
    static final Map<Integer, PooledBlockExecutor> pools = new HashMap<>();
    static BlockGenerator.World world;

    @BeforeContainer
    static void setUp() throws Exception {
        dir = Files.createTempDirectory("exec-equivalence");
        chain = new TestChain(dir);
        List<Ed25519PrivateKey> accounts = new ArrayList<>();
        List<Payload.UtxoOutput> utxos = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            accounts.add(TestChain.key(10 + i));
            utxos.add(new Payload.UtxoOutput(TestChain.address(accounts.get(i)), 500 + i));
        }
        chain.commitGenesis(TestChain.fund(accounts, 1_000_000), utxos);
        wasm = new WasmRuntime(new WasmRuntime.Config(org.meshchain.wasm.GasSchedule.V1, org.meshchain.wasm.WasmLimits.DEFAULT,
                16, java.time.Duration.ofSeconds(30), 8, 256L << 20));
        ledger = new Ledger(Ledger.Config.of(TestChain.CHAIN), new WasmContractRuntime(wasm));
        serial = new SerialBlockExecutor(ledger, chain.committed, Runnable::run);

        // block 1: deploy the token, initialise it, mint to every account
        Ed25519PrivateKey owner = accounts.get(0);
        Address token = Ledger.contractAddress(TestChain.address(owner), 0);
        List<SignedTransaction> setup = new ArrayList<>();
        setup.add(TestChain.tx(owner, 0, 1, new Payload.Deploy(TestChain.contract("token.wasm"))));
        Bytes o = Bytes.of(new byte[] {'o'});
        setup.add(TestChain.tx(owner, 1, 1, new Payload.Call(token, "init", Bytes.EMPTY, 1_000_000,
                new Payload.AccessSet(List.of(), List.of(o)))));
        long nonce = 2;
        for (Ed25519PrivateKey k : accounts) {
            ByteBuffer args = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
            args.put(TestChain.address(k).hash().toByteArray()).putLong(1_000);
            setup.add(TestChain.tx(owner, nonce++, 1, new Payload.Call(token, "mint", Bytes.of(args.array()), 1_000_000,
                    new Payload.AccessSet(List.of(o), List.of(TokenContract.balanceKey(TestChain.address(k)))))));
        }
        Block b1 = TestChain.block(1, chain.chain.head().orElseThrow().blockId(), setup);
        ExecutedBlock e1 = serial.executeNow(b1, List.of());
        for (Bytes r : e1.receipts()) {
            assertThat(Receipt.decode(r).succeeded()).isTrue();
        }
        chain.commit(b1, e1);

        LedgerAccountReader reader = new LedgerAccountReader(path -> chain.state.valueAtHead(path));
        Map<Address, Long> nonces = new HashMap<>();
        for (Ed25519PrivateKey k : accounts) {
            nonces.put(TestChain.address(k), reader.nextNonce(TestChain.address(k)));
        }
        world = new BlockGenerator.World(accounts, utxos, token, nonces);

        testKit = ActorTestKit.create(ExecutorPool.dispatcherConfig(8).withFallback(com.typesafe.config.ConfigFactory.load()));
        for (int n : EXECUTOR_COUNTS) {
            var pool = testKit.spawn(ExecutorPool.create(new ExecutorPool.Settings(n, 8, 4), ledger, chain.committed),
                    "pool-" + n, DispatcherSelector.fromConfig(ExecutorPool.DISPATCHER));
            pools.put(n, new PooledBlockExecutor(pool));
        }
    }

    @AfterContainer
    static void tearDown() throws Exception {
        testKit.shutdownTestKit();
        wasm.close();
        chain.close();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static ExecutedBlock await(java.util.concurrent.CompletionStage<ExecutedBlock> stage) throws Exception {
        return stage.toCompletableFuture().get(120, TimeUnit.SECONDS);
    }

    private void assertEquivalent(long seed, int size, int conflictPercent, boolean contracts) throws Exception {
        BlockGenerator generator = new BlockGenerator(world, seed);
        Hash32 head = chain.chain.head().orElseThrow().blockId();
        long height = chain.chain.head().orElseThrow().height();
        Block b1 = generator.next(height + 1, head, size, conflictPercent, contracts);
        ExecutedBlock s1 = serial.executeNow(b1, List.of());
        Block b2 = generator.next(height + 2, b1.id(), size, conflictPercent, contracts);
        ExecutedBlock s2 = serial.executeNow(b2, List.of(s1));
        for (int n : EXECUTOR_COUNTS) {
            assertThat(await(pools.get(n).execute(b1, List.of()))).as("block 1 with %d executors", n).isEqualTo(s1);
            assertThat(await(pools.get(n).execute(b2, List.of(s1)))).as("pipelined block 2 with %d executors", n).isEqualTo(s2);
        }
    }

    @Property(tries = 40)
    void nativePayloadsMatchSerial(@ForAll long seed, @ForAll @IntRange(min = 0, max = 250) int size,
                                   @ForAll @IntRange(min = 0, max = 100) int conflictPercent) throws Exception {
        assertEquivalent(seed, size, conflictPercent, false);
    }

    @Property(tries = 12)
    void blocksWithContractCallsMatchSerial(@ForAll long seed, @ForAll @IntRange(min = 0, max = 60) int size,
                                            @ForAll @IntRange(min = 0, max = 100) int conflictPercent) throws Exception {
        assertEquivalent(seed, size, conflictPercent, true);
    }

    /** Long tier ({@code -Plong}): many more seeds, larger blocks, contracts included. */
    @Property(tries = 400)
    @net.jqwik.api.Tag("long")
    void longTierManySeeds(@ForAll long seed, @ForAll @IntRange(min = 0, max = 600) int size,
                           @ForAll @IntRange(min = 0, max = 100) int conflictPercent, @ForAll boolean contracts) throws Exception {
        assertEquivalent(seed, contracts ? size / 5 : size, conflictPercent, contracts);
    }

    @Example
    void noConflictsAndAllConflictsAtTheExtremes() throws Exception {
        assertEquivalent(1, 200, 0, false);
        assertEquivalent(2, 200, 100, false);
        assertEquivalent(3, 40, 100, true);
    }

    @Example
    void aContractLyingAboutItsAccessSetFailsTheSameWayInParallel() throws Exception {
        Ed25519PrivateKey sender = world.accounts().get(3);
        Address victim = TestChain.address(world.accounts().get(4));
        ByteBuffer args = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
        args.put(victim.hash().toByteArray()).putLong(5);
        long nonce = world.startNonces().get(TestChain.address(sender));
        List<SignedTransaction> txs = new ArrayList<>();
        // declares only the sender's token balance, then writes the victim's
        txs.add(TestChain.tx(sender, nonce, 2, new Payload.Call(world.token(), "transfer", Bytes.of(args.array()), 1_000_000,
                new Payload.AccessSet(List.of(), List.of(TokenContract.balanceKey(TestChain.address(sender)))))));
        // an honest transfer to the victim runs in parallel with it (they do not conflict as declared)
        Ed25519PrivateKey other = world.accounts().get(5);
        ByteBuffer args2 = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
        args2.put(victim.hash().toByteArray()).putLong(7);
        txs.add(TestChain.tx(other, world.startNonces().get(TestChain.address(other)), 2, new Payload.Call(world.token(),
                "transfer", Bytes.of(args2.array()), 1_000_000, new Payload.AccessSet(List.of(),
                List.of(TokenContract.balanceKey(TestChain.address(other)), TokenContract.balanceKey(victim)).stream().sorted().toList()))));
        var head = chain.chain.head().orElseThrow();
        Block block = TestChain.block(head.height() + 1, head.blockId(), txs);
        ExecutedBlock expected = serial.executeNow(block, List.of());
        Receipt lying = Receipt.decode(expected.receipts().get(0));
        assertThat(lying.errorCode()).isEqualTo("contract_failed.access_violation");
        assertThat(lying.errorDetail()).contains(TokenContract.balanceKey(victim).toHex());
        assertThat(Receipt.decode(expected.receipts().get(1)).succeeded()).isTrue();
        for (int n : EXECUTOR_COUNTS) {
            assertThat(await(pools.get(n).execute(block, List.of()))).isEqualTo(expected);
        }
    }

    @Example
    void aBlockThatCannotBeExecutedFailsItsFutureAndThePoolGoesOn() throws Exception {
        var head = chain.chain.head().orElseThrow();
        Block orphan = TestChain.block(head.height() + 5, head.blockId(), List.of());
        assertThatThrownBy(() -> await(pools.get(2).execute(orphan, List.of())))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(IllegalArgumentException.class);
        assertEquivalent(4, 30, 10, false);
    }

    @Example
    void blocksArrivingTogetherAreQueuedUpToTheBoundAndTheRestRefused() throws Exception {
        var pool = testKit.spawn(ExecutorPool.create(new ExecutorPool.Settings(2, 16, 2), ledger, chain.committed),
                "bounded-pool", DispatcherSelector.fromConfig(ExecutorPool.DISPATCHER));
        PooledBlockExecutor executor = new PooledBlockExecutor(pool);
        var head = chain.chain.head().orElseThrow();
        Block block = new BlockGenerator(world, 77).next(head.height() + 1, head.blockId(), 150, 20, false);
        ExecutedBlock expected = serial.executeNow(block, List.of());
        List<java.util.concurrent.CompletableFuture<ExecutedBlock>> results = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            results.add(executor.execute(block, List.of()).toCompletableFuture());
        }
        int rejected = 0;
        for (var r : results) {
            try {
                assertThat(r.get(120, TimeUnit.SECONDS)).isEqualTo(expected);
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(java.util.concurrent.RejectedExecutionException.class);
                rejected++;
            }
        }
        // one runs, two wait: with 20 sent at once most are refused, and the pool stays usable
        assertThat(rejected).isGreaterThan(0).isLessThan(20);
        assertThat(await(executor.execute(block, List.of()))).isEqualTo(expected);
    }

    @Example
    void stoppingThePoolCompletesEveryPendingBlock() throws Exception {
        var pool = testKit.spawn(ExecutorPool.create(new ExecutorPool.Settings(2, 16, 4), ledger, chain.committed),
                "stopped-pool", DispatcherSelector.fromConfig(ExecutorPool.DISPATCHER));
        PooledBlockExecutor executor = new PooledBlockExecutor(pool);
        var head = chain.chain.head().orElseThrow();
        Block block = new BlockGenerator(world, 78).next(head.height() + 1, head.blockId(), 200, 0, false);
        List<java.util.concurrent.CompletableFuture<ExecutedBlock>> results = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            results.add(executor.execute(block, List.of()).toCompletableFuture());
        }
        ExecutedBlock expected = serial.executeNow(block, List.of());
        testKit.stop(pool);
        for (var r : results) {
            // finished before the stop (with the right result), or failed by it: never left hanging
            Object outcome = r.handle((v, e) -> v != null ? v : e).get(60, TimeUnit.SECONDS);
            if (outcome instanceof ExecutedBlock done) {
                assertThat(done).isEqualTo(expected);
            } else {
                assertThat((Throwable) outcome).hasMessageContaining("executor pool stopped");
            }
        }
    }

    @Example
    void thePoolReportsBlocksTransactionsGasAndParallelism() throws Exception {
        org.meshchain.node.metrics.Metrics registry = new org.meshchain.node.metrics.Metrics();
        ExecutionMetrics metrics = new ExecutionMetrics(registry, 2);
        var pool = testKit.spawn(ExecutorPool.create(new ExecutorPool.Settings(2, 16, 4), ledger, chain.committed,
                metrics), "metered-pool", DispatcherSelector.fromConfig(ExecutorPool.DISPATCHER));
        PooledBlockExecutor executor = new PooledBlockExecutor(pool);
        var head = chain.chain.head().orElseThrow();
        Block block = new BlockGenerator(world, 79).next(head.height() + 1, head.blockId(), 40, 0, true);
        ExecutedBlock executed = await(executor.execute(block, List.of()));
        assertThatThrownBy(() -> await(executor.execute(TestChain.block(head.height() + 9, head.blockId(), List.of()), List.of())))
                .isInstanceOf(ExecutionException.class);
        long successes = 0;
        for (Bytes r : executed.receipts()) {
            successes += Receipt.decode(r).succeeded() ? 1 : 0;
        }
        String text = registry.render();
        assertThat(text).contains("meshchain_executor_blocks_total{outcome=\"executed\"} 1")
                .contains("meshchain_executor_blocks_total{outcome=\"failed\"} 1")
                .contains("meshchain_executor_transactions_total{status=\"success\"} " + successes)
                .contains("meshchain_executor_gas_used_total " + executed.gasUsed())
                .contains("meshchain_executor_executors 2")
                .contains("meshchain_executor_block_seconds_count 1");
        assertThat(text).containsPattern("meshchain_executor_available_parallelism [0-9.]+");
        // phase times of the executed block (the failed one adds none)
        for (String phase : ExecutionMetrics.PHASES) {
            assertThat(text).containsPattern("meshchain_executor_phase_seconds_total\\{phase=\"" + phase + "\"\\} [0-9.E-]+");
            if (!phase.equals("schedule")) {
                assertThat(metrics.phaseSeconds(phase)).as(phase).isPositive();
            }
        }
        assertThatThrownBy(() -> metrics.phaseSeconds("merge")).isInstanceOf(IllegalArgumentException.class);
        testKit.stop(pool);
    }
}
