package org.meshchain.persistence.snapshot;

import java.nio.file.Path;
import java.util.List;
import org.meshchain.core.types.DomainCodecs;
import org.meshchain.persistence.chain.ChainStore;
import org.meshchain.persistence.chain.ChainStoreConfig;

/**
 * Child-process body of the import crash test: imports a snapshot (resuming whatever an earlier,
 * killed run left) in small batches until done or killed with SIGKILL. Prints "ready" once the
 * store and the file are open, so the kill lands in the import, and "done" if it finishes first.
 */
public final class CrashingImporter {

    private CrashingImporter() {
    }

    public static void main(String[] args) throws Exception {
        try (SnapshotReader reader = SnapshotReader.open(Path.of(args[0]), DomainCodecs.DEFAULT);
                ChainStore store = ChainStore.open(Path.of(args[1]), ChainStoreConfig.DEFAULT, DomainCodecs.DEFAULT)) {
            System.out.println("ready");
            System.out.flush();
            SnapshotImporter.importInto(reader, store, SnapshotProgress.NONE, Long.parseLong(args[2]));
            System.out.println("done");
            System.out.flush();
        }
    }

    /**
     * @param nativeTmp the child's {@code java.io.tmpdir}: RocksDB unpacks its native library there and
     *                  a killed JVM never deletes it, so the test's temporary directory must hold it
     */
    static List<String> command(String java, String classPath, Path snapshot, Path dir, long batchBytes, Path nativeTmp) {
        return List.of(java, "-cp", classPath, "--enable-native-access=ALL-UNNAMED", "-Djava.io.tmpdir=" + nativeTmp,
                CrashingImporter.class.getName(), snapshot.toString(), dir.toString(), Long.toString(batchBytes));
    }
}
