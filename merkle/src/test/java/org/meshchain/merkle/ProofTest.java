package org.meshchain.merkle;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.codec.DecodeException;
import org.meshchain.core.crypto.Hash32;

class ProofTest {

    private record Fixture(SparseMerkleTree tree, TreeMap<Hash32, Bytes> entries, List<Hash32> absent, Hash32 root) {
    }

    private static Fixture fixture(Random random, int size) {
        List<Hash32> pool = Scenarios.pathPool(random, size + 10);
        TreeMap<Hash32, Bytes> entries = new TreeMap<>();
        for (Hash32 path : pool.subList(0, size)) {
            entries.put(path, Scenarios.value(random));
        }
        List<Hash32> absent = new ArrayList<>(pool.subList(size, size + 10));
        absent.add(Scenarios.randomPath(random));
        SparseMerkleTree tree = Scenarios.treeWith(entries);
        return new Fixture(tree, entries, absent, tree.rootHash(1));
    }

    @Property(tries = 60)
    void everyKeyAndAbsentKeyProvesAndOnlyTheTruthVerifies(@ForAll long seed) throws DecodeException {
        Random random = new Random(seed);
        Fixture f = fixture(random, random.nextInt(40));
        for (var entry : f.entries().entrySet()) {
            SmtProof proof = SmtProof.decode(f.tree().prove(1, entry.getKey()).encode());
            byte[] value = entry.getValue().toByteArray();
            assertThat(SmtProof.verifyMembership(f.root(), entry.getKey(), value, proof)).isTrue();
            assertThat(SmtProof.verifyNonMembership(f.root(), entry.getKey(), proof)).isFalse();
            byte[] otherValue = Scenarios.value(random).toByteArray();
            if (!java.util.Arrays.equals(otherValue, value)) {
                assertThat(SmtProof.verifyMembership(f.root(), entry.getKey(), otherValue, proof)).isFalse();
            }
        }
        for (Hash32 path : f.absent()) {
            SmtProof proof = SmtProof.decode(f.tree().prove(1, path).encode());
            assertThat(SmtProof.verifyNonMembership(f.root(), path, proof)).isTrue();
            assertThat(SmtProof.verifyMembership(f.root(), path, new byte[0], proof)).isFalse();
            assertThat(f.tree().get(1, path)).isEmpty();
        }
    }

    @Property(tries = 6)
    void everySingleBitFlipOfAnEncodedProofIsRejected(@ForAll long seed) {
        Random random = new Random(seed);
        Fixture f = fixture(random, 1 + random.nextInt(30));
        Hash32 present = new ArrayList<>(f.entries().keySet()).get(random.nextInt(f.entries().size()));
        byte[] value = f.entries().get(present).toByteArray();
        byte[] membership = f.tree().prove(1, present).encode();
        forEachBitFlip(membership, flipped -> {
            SmtProof proof = SmtProof.decode(flipped);
            return SmtProof.verifyMembership(f.root(), present, value, proof);
        });

        for (Hash32 absent : List.of(f.absent().get(0), f.absent().get(f.absent().size() - 1))) {
            byte[] nonMembership = f.tree().prove(1, absent).encode();
            forEachBitFlip(nonMembership, flipped -> SmtProof.verifyNonMembership(f.root(), absent, SmtProof.decode(flipped)));
        }

        Hash32[] bounds = orderedPair(random, f);
        SmtRange range = f.tree().range(1, bounds[0], bounds[1]);
        forEachBitFlip(range.proof().encode(), flipped ->
                SmtRangeProof.verify(f.root(), bounds[0], bounds[1], range.entries(), SmtRangeProof.decode(flipped)));
    }

    @Property(tries = 80)
    void rangeProofsVerifyAndRejectOmittedAddedOrChangedEntries(@ForAll long seed) throws DecodeException {
        Random random = new Random(seed);
        Fixture f = fixture(random, random.nextInt(50));
        Hash32[] bounds = orderedPair(random, f);
        Hash32 start = bounds[0];
        Hash32 end = bounds[1];
        SmtRange range = f.tree().range(1, start, end);
        SmtRangeProof proof = SmtRangeProof.decode(range.proof().encode());

        List<SmtEntry> expected = new ArrayList<>();
        f.entries().subMap(start, true, end, true).forEach((path, value) -> expected.add(new SmtEntry(path, value)));
        assertThat(range.entries()).isEqualTo(expected);
        assertThat(SmtRangeProof.verify(f.root(), start, end, expected, proof)).isTrue();

        for (int omitted = 0; omitted < expected.size(); omitted++) {
            List<SmtEntry> fewer = new ArrayList<>(expected);
            fewer.remove(omitted);
            assertThat(SmtRangeProof.verify(f.root(), start, end, fewer, proof)).isFalse();
        }
        for (int changed = 0; changed < expected.size(); changed++) {
            List<SmtEntry> modified = new ArrayList<>(expected);
            Bytes original = expected.get(changed).value();
            Bytes other = Bytes.of(concat(original.toByteArray(), new byte[] {(byte) random.nextInt()}));
            modified.set(changed, new SmtEntry(expected.get(changed).path(), other));
            assertThat(SmtRangeProof.verify(f.root(), start, end, modified, proof)).isFalse();
        }
        // An extra entry: an absent path inside the range (or the range's own bounds when absent).
        for (Hash32 candidate : List.of(start, end, f.absent().get(0), f.absent().get(1))) {
            if (candidate.compareTo(start) >= 0 && candidate.compareTo(end) <= 0 && !f.entries().containsKey(candidate)) {
                List<SmtEntry> more = new ArrayList<>(expected);
                more.add(new SmtEntry(candidate, Scenarios.value(random)));
                more.sort((a, b) -> a.path().compareTo(b.path()));
                assertThat(SmtRangeProof.verify(f.root(), start, end, more, proof)).isFalse();
            }
        }
        // The proof is bound to its range: a wider range with the same entries and proof fails
        // unless it holds no further entries and has the same shape (checked against the tree).
        if (end.compareTo(lastPath()) < 0) {
            Hash32 widerEnd = lastPath();
            boolean sameEntries = f.entries().subMap(start, true, widerEnd, true).size() == expected.size();
            if (!sameEntries) {
                assertThat(SmtRangeProof.verify(f.root(), start, widerEnd, expected, proof)).isFalse();
            }
        }
        // And to its root: any other version's root fails when the range content differs.
        if (!expected.isEmpty()) {
            SparseMerkleTree tree = f.tree();
            CommitResult next = tree.apply(1, List.of(SmtUpdate.delete(expected.get(0).path())));
            assertThat(SmtRangeProof.verify(next.root(), start, end, expected, proof)).isFalse();
        }
    }

    /** Two bounds: mostly around existing keys so ranges hold entries and straddle leaves. */
    private static Hash32[] orderedPair(Random random, Fixture f) {
        List<Hash32> candidates = new ArrayList<>(f.entries().keySet());
        candidates.addAll(f.absent());
        Hash32 a = candidates.get(random.nextInt(candidates.size()));
        Hash32 b = random.nextInt(4) == 0 ? Scenarios.randomPath(random) : candidates.get(random.nextInt(candidates.size()));
        return a.compareTo(b) <= 0 ? new Hash32[] {a, b} : new Hash32[] {b, a};
    }

    private static Hash32 lastPath() {
        byte[] ones = new byte[Hash32.LENGTH];
        java.util.Arrays.fill(ones, (byte) 0xFF);
        return Hash32.of(ones);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @FunctionalInterface
    private interface Verification {
        boolean accepts(byte[] encoded) throws DecodeException;
    }

    /** Asserts that every single-bit flip of {@code encoded} fails to decode or fails to verify. */
    private static void forEachBitFlip(byte[] encoded, Verification verification) {
        for (int bit = 0; bit < encoded.length * 8; bit++) {
            byte[] flipped = encoded.clone();
            flipped[bit >>> 3] ^= (byte) (1 << (bit & 7));
            boolean accepted;
            try {
                accepted = verification.accepts(flipped);
            } catch (DecodeException rejected) {
                accepted = false;
            }
            assertThat(accepted).as("proof with bit %d flipped", bit).isFalse();
        }
    }
}
