package org.meshchain.merkle;

import java.util.List;
import java.util.Objects;

/**
 * Everything one version adds to a {@link NodeStore}, to be written atomically (one RocksDB
 * WriteBatch): the root of {@code version}, the nodes it created (all keyed with {@code version}),
 * and the keys of the nodes that the previous version used and this one no longer does; they
 * enter the stale node index as "stale since {@code version}".
 */
public record VersionCommit(long version, NodeKey root, List<SmtNode> newNodes, List<NodeKey> staleNodes) {

    public VersionCommit {
        Objects.requireNonNull(root, "root");
        newNodes = List.copyOf(newNodes);
        staleNodes = List.copyOf(staleNodes);
        if (version < 0) {
            throw new IllegalArgumentException("negative version " + version);
        }
    }

    /** Version 0: the empty tree. */
    static VersionCommit genesis() {
        return new VersionCommit(0, NodeKey.EMPTY, List.of(), List.of());
    }
}
