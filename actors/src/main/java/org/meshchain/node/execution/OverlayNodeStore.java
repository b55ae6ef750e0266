package org.meshchain.node.execution;

import java.util.ArrayList;
import java.util.List;
import org.meshchain.merkle.NodeKey;
import org.meshchain.merkle.NodeStore;
import org.meshchain.merkle.SmtNode;
import org.meshchain.merkle.VersionCommit;
import org.meshchain.persistence.state.PrecomputedVersion;

/**
 * A throw-away {@link NodeStore} for computing one block's state tree version (ADR 0057): the
 * committed tree (read-only, through a snapshot) and above it, in memory, one version per uncommitted
 * ancestor ({@link #push}, or computed here by the tree when an ancestor has none), then the block's
 * own version, which the tree {@link #commit}s. Nothing is written to disk.
 *
 * <p>A node key names the version that created it, so a node is looked up in that version's nodes
 * if it is above the committed one, else in the committed store: no search through the layers.
 * Concurrent reads are safe (the committed snapshot allows them, the versions above it are immutable),
 * as the tree's parallel update needs. Children are not memoised in the nodes: the block's version is
 * kept with its result until commit and must not keep decoded committed subtrees alive.
 */
final class OverlayNodeStore implements NodeStore {

    private final CommittedState.Snapshot committed;
    private final long committedVersion;
    /** Versions above the committed one, oldest first: {@code versions.get(i).version() == committedVersion + 1 + i}. */
    private final List<PrecomputedVersion> versions = new ArrayList<>();

    OverlayNodeStore(CommittedState.Snapshot committed) {
        this.committed = committed;
        this.committedVersion = committed.stateVersion();
    }

    /**
     * Adds {@code version} on top if it was computed on exactly the latest version here (same number,
     * same root); returns false and adds nothing otherwise.
     */
    boolean push(PrecomputedVersion version) {
        if (version.baseVersion() != latestVersion() || !version.baseRoot().equals(root(latestVersion()))) {
            return false;
        }
        versions.add(version);
        return true;
    }

    /** The latest version, as computed or pushed here (null if none is above the committed one). */
    PrecomputedVersion top() {
        return versions.isEmpty() ? null : versions.getLast();
    }

    @Override
    public SmtNode node(NodeKey key) {
        long v = key.version();
        if (v <= committedVersion) {
            return committed.node(key);
        }
        long index = v - committedVersion - 1;
        return index < versions.size() ? versions.get((int) index).node(key) : null;
    }

    @Override
    public NodeKey root(long version) {
        if (version == committedVersion) {
            return committed.root();
        }
        long index = version - committedVersion - 1;
        return index >= 0 && index < versions.size() ? versions.get((int) index).root() : null;
    }

    @Override
    public long latestVersion() {
        return committedVersion + versions.size();
    }

    @Override
    public long oldestRetainedVersion() {
        return committedVersion;
    }

    @Override
    public void commit(VersionCommit commit) {
        if (commit.version() != latestVersion() + 1) {
            throw new IllegalStateException("version " + commit.version() + " does not follow " + latestVersion());
        }
        versions.add(new PrecomputedVersion(root(latestVersion()), commit));
    }

    @Override
    public long prune(long oldestRetained) {
        throw new IllegalStateException("an overlay of uncommitted versions is never pruned");
    }

    @Override
    public boolean memoisesChildren() {
        return false;
    }

    @Override
    public long nodeCount() {
        long count = 0;
        for (PrecomputedVersion version : versions) {
            count += version.commit().newNodes().size();
        }
        return count;
    }
}
