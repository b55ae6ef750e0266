package org.meshchain.core.execution;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.crypto.Hashing;
import org.meshchain.core.state.StatePaths;
import org.meshchain.core.types.Address;

class ConflictGraphPropertyTest {

    static Hash32 key(int k) {
        return Hashing.sha256(new byte[] {(byte) k, (byte) (k >>> 8)});
    }

    static List<AccessSets.TxAccess> randomAccesses(long seed, int n, int keySpace) {
        Random random = new Random(seed);
        List<AccessSets.TxAccess> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Set<Hash32> reads = new HashSet<>();
            Set<Hash32> writes = new HashSet<>();
            for (int r = random.nextInt(4); r > 0; r--) {
                reads.add(key(random.nextInt(keySpace)));
            }
            for (int w = random.nextInt(3); w > 0; w--) {
                writes.add(key(random.nextInt(keySpace)));
            }
            out.add(new AccessSets.TxAccess(reads, writes));
        }
        return out;
    }

    /** reach[i] = every transaction reachable from i along edges. */
    static BitSet[] reachability(ConflictGraph g) {
        int n = g.size();
        BitSet[] reach = new BitSet[n];
        for (int i = n - 1; i >= 0; i--) {
            reach[i] = new BitSet(n);
            for (int s : g.successors(i)) {
                reach[i].set(s);
                reach[i].or(reach[s]);
            }
        }
        return reach;
    }

    @Property(tries = 300)
    void everyConflictingPairIsOrderedInBlockOrderAndEveryEdgeIsAConflict(@ForAll long seed,
            @ForAll @IntRange(min = 0, max = 120) int n, @ForAll @IntRange(min = 1, max = 60) int keySpace) {
        List<AccessSets.TxAccess> accesses = randomAccesses(seed, n, keySpace);
        ConflictGraph g = ConflictGraph.build(accesses);
        BitSet[] reach = reachability(g);
        for (int i = 0; i < n; i++) {
            for (int s : g.successors(i)) {
                assertThat(s).isGreaterThan(i);
                assertThat(AccessSets.conflict(accesses.get(i), accesses.get(s))).isTrue();
            }
            for (int j = i + 1; j < n; j++) {
                if (AccessSets.conflict(accesses.get(i), accesses.get(j))) {
                    assertThat(reach[i].get(j)).as("conflicting %d and %d must be ordered", i, j).isTrue();
                }
            }
        }
        int[] preds = new int[n];
        for (int i = 0; i < n; i++) {
            for (int s : g.successors(i)) {
                preds[s]++;
            }
        }
        for (int j = 0; j < n; j++) {
            assertThat(g.predecessorCount(j)).isEqualTo(preds[j]);
        }
    }

    @Example
    void readersOfAHotKeyRunTogetherBetweenItsWriters() {
        Hash32 hot = key(1);
        List<AccessSets.TxAccess> accesses = List.of(
                new AccessSets.TxAccess(Set.of(), Set.of(hot)),
                new AccessSets.TxAccess(Set.of(hot), Set.of(key(2))),
                new AccessSets.TxAccess(Set.of(hot), Set.of(key(3))),
                new AccessSets.TxAccess(Set.of(), Set.of(hot)),
                new AccessSets.TxAccess(Set.of(), Set.of(key(4))));
        ConflictGraph g = ConflictGraph.build(accesses);
        assertThat(g.successors(0)).containsExactly(1, 2, 3);
        assertThat(g.successors(1)).containsExactly(3);
        assertThat(g.successors(2)).containsExactly(3);
        assertThat(g.predecessorCount(3)).isEqualTo(3);
        assertThat(g.predecessorCount(4)).isZero();
        assertThat(g.criticalPathLength()).isEqualTo(3);
    }

    @Example
    void declaredBalanceKeysNameTheAccountPath() {
        Address contract = new Address(key(7));
        Address holder = new Address(key(8));
        byte[] balance = new byte[36];
        System.arraycopy("$bal".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, balance, 0, 4);
        holder.hash().copyTo(balance, 4);
        assertThat(AccessSets.pathOfDeclared(contract, Bytes.of(balance))).isEqualTo(StatePaths.account(holder));
        Bytes slot = Bytes.of(new byte[] {'b', 1, 2});
        assertThat(AccessSets.pathOfDeclared(contract, slot)).isEqualTo(StatePaths.storage(contract, slot));
    }
}
