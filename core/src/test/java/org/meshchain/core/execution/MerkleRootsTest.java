package org.meshchain.core.execution;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.codec.CanonicalWriter;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.crypto.Hashing;
import org.meshchain.core.ledger.LedgerEvent;
import org.meshchain.core.ledger.Receipt;
import org.meshchain.core.types.Address;

/** Receipt and event roots: the definition of ADR 0021, computed serially and in parallel. */
class MerkleRootsTest {
    private static final ForkJoinPool POOL = new ForkJoinPool(3);

    @AfterAll
    static void stop() {
        POOL.shutdownNow();
    }

    /** The definition, written out independently: leaves first, then split at the largest power of two below n. */
    private static Hash32 reference(List<Hash32> leaves, String nodeTag) {
        if (leaves.isEmpty()) {
            return Hash32.ZERO;
        }
        if (leaves.size() == 1) {
            return leaves.get(0);
        }
        int split = Integer.highestOneBit(leaves.size() - 1);
        byte[] both = new byte[64];
        reference(leaves.subList(0, split), nodeTag).copyTo(both, 0);
        reference(leaves.subList(split, leaves.size()), nodeTag).copyTo(both, 32);
        return Hashing.tagged(nodeTag, both);
    }

    private static List<Receipt> receipts(Random random, int n) {
        List<Receipt> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            List<LedgerEvent> events = new ArrayList<>();
            for (int e = random.nextInt(4); e > 0; e--) {
                byte[] data = new byte[random.nextInt(40)];
                random.nextBytes(data);
                events.add(new LedgerEvent(new Address(Hashing.sha256(new byte[] {(byte) i})), Bytes.of(new byte[] {'t', (byte) e}), Bytes.of(data)));
            }
            out.add(Receipt.success(1 + random.nextInt(100), random.nextInt(10_000), Bytes.EMPTY, events));
        }
        return out;
    }

    @Test
    void serialAndParallelRootsEqualTheDefinition() {
        Random random = new Random(7);
        for (int n : new int[] {0, 1, 2, 3, 5, 64, 255, 256, 257, 300, 511, 512, 513, 1000, 2049}) {
            List<Receipt> receipts = receipts(random, n);
            List<Bytes> encoded = receipts.stream().map(Receipt::encode).toList();
            List<Hash32> receiptLeaves = encoded.stream().map(r -> Hashing.tagged("ReceiptLeaf", r.toByteArray())).toList();
            List<Hash32> eventLeaves = new ArrayList<>();
            for (int tx = 0; tx < n; tx++) {
                List<LedgerEvent> events = receipts.get(tx).events();
                for (int e = 0; e < events.size(); e++) {
                    LedgerEvent event = events.get(e);
                    eventLeaves.add(Hashing.tagged("EventLeaf", new CanonicalWriter(80).u32(tx).u32(e).fixed(event.source().hash().toByteArray())
                            .bytes(event.topic()).bytes(event.data()).toByteArray()));
                }
            }
            Hash32 receiptRoot = reference(receiptLeaves, "ReceiptNode");
            Hash32 eventRoot = reference(eventLeaves, "EventNode");
            assertThat(MerkleRoots.receiptRoot(encoded)).as("n=%d", n).isEqualTo(receiptRoot);
            assertThat(MerkleRoots.eventRoot(receipts)).as("n=%d", n).isEqualTo(eventRoot);
            for (int depth = 0; depth <= 5; depth++) {
                assertThat(MerkleRoots.receiptRoot(encoded, POOL, depth)).as("n=%d depth=%d", n, depth).isEqualTo(receiptRoot);
                assertThat(MerkleRoots.eventRoot(receipts, POOL, depth)).as("n=%d depth=%d", n, depth).isEqualTo(eventRoot);
            }
        }
        assertThat(MerkleRoots.receiptRoot(List.of())).isEqualTo(Hash32.ZERO);
    }
}
