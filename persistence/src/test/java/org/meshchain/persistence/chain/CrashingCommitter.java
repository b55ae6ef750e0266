package org.meshchain.persistence.chain;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.crypto.Hashing;
import org.meshchain.core.types.DomainCodecs;
import org.meshchain.merkle.SmtUpdate;
import org.meshchain.persistence.state.StateStore;

/**
 * Child-process body of the crash test: opens the store and commits blocks with real state-tree
 * updates forever, until the parent kills it with SIGKILL. Prints "ready" after its first commit
 * (class loading, JIT and key precomputation are done by then), so the kill lands in the loop.
 */
public final class CrashingCommitter {

    private CrashingCommitter() {
    }

    public static void main(String[] args) throws Exception {
        Random random = new Random(Long.parseLong(args[1]));
        try (ChainStore store = ChainStore.open(Path.of(args[0]), ChainStoreConfig.DEFAULT, DomainCodecs.DEFAULT)) {
            StateStore state = new StateStore(store, 50_000, 1024);
            commitNext(store, state, random);
            System.out.println("ready " + store.head().map(ChainStore.Head::height).orElse(-1L));
            System.out.flush();
            while (true) {
                commitNext(store, state, random);
            }
        }
    }

    private static void commitNext(ChainStore store, StateStore state, Random random) throws CommitRejectedException {
        TreeMap<Hash32, SmtUpdate> updates = new TreeMap<>();
        for (int i = 0; i < 50; i++) {
            Hash32 path = Hashing.sha256(ByteBuffer.allocate(4).putInt(random.nextInt(5_000)).array());
            updates.put(path, SmtUpdate.put(path, Bytes.of(ByteBuffer.allocate(8).putLong(random.nextLong()).array())));
        }
        ChainFixtures.commitWithState(store, state, new ArrayList<>(updates.values()), 5);
    }

    /**
     * @param nativeTmp the child's {@code java.io.tmpdir}: RocksDB unpacks its native library there and
     *                  a killed JVM never deletes it, so the test's temporary directory must hold it
     */
    static List<String> command(String java, String classPath, Path dir, long seed, Path nativeTmp) {
        return List.of(java, "-cp", classPath, "--enable-native-access=ALL-UNNAMED", "-Djava.io.tmpdir=" + nativeTmp,
                CrashingCommitter.class.getName(), dir.toString(), Long.toString(seed));
    }
}
