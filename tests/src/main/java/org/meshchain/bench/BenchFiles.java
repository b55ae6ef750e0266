package org.meshchain.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** File helpers the benchmarks share. */
final class BenchFiles {

    private BenchFiles() {
    }

    /**
     * Deletes {@code dir} and everything under it, deepest first. A bench's data directory can hold
     * gigabytes (RocksDB, snapshots), so every bench removes its own when it ends, however it ends.
     */
    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
