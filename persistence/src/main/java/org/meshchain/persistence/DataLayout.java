package org.meshchain.persistence;

import java.nio.file.Path;

/**
 * Where a node keeps its data under its data directory. One place, so the node, the CLI and
 * operators' runbooks agree.
 */
public record DataLayout(Path dataDirectory) {

    public Path chain() {
        return dataDirectory.resolve("chain");
    }
}
