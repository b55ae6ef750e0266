package org.meshchain.persistence;

import java.nio.file.Path;

/**
 * Where a node keeps its data under its data directory: the chain and state store, and the Pekko
 * Persistence journal and snapshot store (each its own RocksDB). One place, so the node, the CLI and
 * operators' runbooks agree.
 */
public record DataLayout(Path dataDirectory) {

    public Path chain() {
        return dataDirectory.resolve("chain");
    }

    public Path journal() {
        return dataDirectory.resolve("journal");
    }

    public Path journalSnapshots() {
        return dataDirectory.resolve("journal-snapshots");
    }
}
