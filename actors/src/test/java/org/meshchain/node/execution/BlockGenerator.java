package org.meshchain.node.execution;

import static org.meshchain.node.execution.TokenContract.balanceKey;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.Payload;
import org.meshchain.core.types.SignedTransaction;

/**
 * Random blocks over a fixed world (funded accounts, genesis UTXOs, a deployed and minted token): mostly
 * valid transactions with a tunable share touching one hot account/token balance, plus failing
 * transfers, wrong nonces, double spends, failing and access-violating contract calls, device traffic.
 */
final class BlockGenerator {

    record World(List<Ed25519PrivateKey> accounts, List<Payload.UtxoOutput> genesisUtxos, Address token, Map<Address, Long> startNonces) {}

    private final World world;
    private final Random random;
    private final Map<Address, Long> nonces = new HashMap<>();
    /** Spendable outputs known to the generator: ref → output (may already be spent: that is a test too). */
    private final List<Map.Entry<Payload.UtxoRef, Payload.UtxoOutput>> utxos = new ArrayList<>();

    BlockGenerator(World world, long seed) {
        this.world = world;
        this.random = new Random(seed);
        for (int i = 0; i < world.genesisUtxos().size(); i++) {
            utxos.add(Map.entry(new Payload.UtxoRef(GenesisState.GENESIS_UTXO_TX, i), world.genesisUtxos().get(i)));
        }
    }

    private Ed25519PrivateKey pick() {
        return world.accounts().get(random.nextInt(world.accounts().size()));
    }

    private long nonce(Ed25519PrivateKey k) {
        Address a = TestChain.address(k);
        long n = nonces.getOrDefault(a, world.startNonces().getOrDefault(a, 0L));
        if (random.nextInt(40) == 0) {
            return n + 1 + random.nextInt(2); // a gap: discarded
        }
        nonces.put(a, n + 1);
        return n;
    }

    Block next(long height, org.meshchain.core.crypto.Hash32 parent, int size, int conflictPercent, boolean contracts) {
        Ed25519PrivateKey hot = world.accounts().get(0);
        List<SignedTransaction> txs = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            boolean conflicting = random.nextInt(100) < conflictPercent;
            int kind = random.nextInt(contracts ? 10 : 7);
            Ed25519PrivateKey sender = pick();
            Ed25519PrivateKey to = conflicting ? hot : pick();
            long fee = random.nextInt(5);
            SignedTransaction tx;
            if (kind <= 3) {
                long amount = random.nextInt(20) == 0 ? 10_000_000_000L : random.nextInt(1_000);
                tx = TestChain.tx(sender, nonce(sender), fee, new Payload.Transfer(TestChain.address(to), amount));
            } else if (kind <= 5) {
                tx = utxoSpend(sender, fee);
            } else if (kind == 6) {
                Ed25519PrivateKey device = TestChain.key(100 + random.nextInt(4));
                tx = random.nextBoolean()
                        ? TestChain.tx(sender, nonce(sender), fee, new Payload.RegisterDevice(device.publicKey(), TestChain.address(sender), 10))
                        : TestChain.tx(sender, nonce(sender), fee, new Payload.DeviceReport(TestChain.address(device),
                                1 + random.nextInt(5), Bytes.of(new byte[] {(byte) i})));
            } else {
                tx = tokenTransfer(sender, TestChain.address(to), fee);
            }
            txs.add(tx);
        }
        return TestChain.block(height, parent, txs);
    }

    private SignedTransaction utxoSpend(Ed25519PrivateKey sender, long fee) {
        Address owner = TestChain.address(sender);
        List<Map.Entry<Payload.UtxoRef, Payload.UtxoOutput>> mine = new ArrayList<>();
        for (var e : utxos) {
            if (e.getValue().owner().equals(owner) || random.nextInt(30) == 0) {
                mine.add(e);
            }
        }
        if (mine.isEmpty()) {
            mine.add(utxos.get(random.nextInt(utxos.size())));
        }
        var input = mine.get(random.nextInt(mine.size()));
        long value = input.getValue().amount();
        long change = Math.max(0, value - fee);
        Ed25519PrivateKey recipient = pick();
        long paid = change == 0 ? 0 : random.nextLong(change + 1);
        List<Payload.UtxoOutput> outputs = new ArrayList<>();
        outputs.add(new Payload.UtxoOutput(TestChain.address(recipient), paid));
        outputs.add(new Payload.UtxoOutput(owner, change - paid + (random.nextInt(15) == 0 ? 1 : 0)));
        SignedTransaction tx = TestChain.tx(sender, nonce(sender), fee, new Payload.UtxoSpend(List.of(input.getKey()), outputs));
        for (int i = 0; i < outputs.size(); i++) {
            utxos.add(Map.entry(new Payload.UtxoRef(tx.id(), i), outputs.get(i)));
        }
        return tx;
    }

    private SignedTransaction tokenTransfer(Ed25519PrivateKey sender, Address to, long fee) {
        Address from = TestChain.address(sender);
        long amount = random.nextInt(12) == 0 ? 1_000_000_000L : random.nextInt(50);
        List<Bytes> writes = new ArrayList<>(List.of(balanceKey(from)));
        if (random.nextInt(12) != 0) {
            writes.add(balanceKey(to)); // else: lies about its access set → access violation
        }
        writes = writes.stream().sorted().distinct().toList();
        long gas = random.nextInt(25) == 0 ? 2_000 : 1_000_000; // sometimes out of gas
        ByteBuffer args = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
        args.put(to.hash().toByteArray()).putLong(amount);
        return TestChain.tx(sender, nonce(sender), fee, new Payload.Call(world.token(), "transfer", Bytes.of(args.array()), gas,
                new Payload.AccessSet(List.of(), writes)));
    }
}
