package org.meshchain.persistence.chain;

import java.nio.file.Path;
import org.meshchain.core.types.DomainCodecs;

/**
 * Child-process body of the crash test: opens the store and commits blocks forever, until the parent
 * kills it with SIGKILL. Prints "ready" after its first commit (class loading, JIT and key
 * precomputation are done by then), so the parent's kill lands in the commit loop, not in start-up.
 */
public final class CrashingCommitter {

    private CrashingCommitter() {
    }

    public static void main(String[] args) throws Exception {
        try (ChainStore store = ChainStore.open(Path.of(args[0]), ChainStoreConfig.DEFAULT, DomainCodecs.DEFAULT)) {
            ChainFixtures.commitNext(store, 5, 64);
            System.out.println("ready " + store.head().map(ChainStore.Head::height).orElse(-1L));
            System.out.flush();
            while (true) {
                ChainFixtures.commitNext(store, 5, 64);
            }
        }
    }
}
