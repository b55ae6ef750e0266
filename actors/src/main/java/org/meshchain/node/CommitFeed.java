package org.meshchain.node;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.meshchain.node.port.CommittedBlock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listeners of committed blocks ({@link org.meshchain.node.port.NodeServices#subscribeCommits}), called
 * by the storage actor after each commit in height order. A listener that throws is logged and kept:
 * an edge's bug must not stop the store.
 */
public final class CommitFeed {

    private static final Logger LOG = LoggerFactory.getLogger(CommitFeed.class);
    /** Bounded: subscribers are edges (API streams, bridge), not per-request objects. */
    public static final int MAX_SUBSCRIBERS = 1024;

    private final CopyOnWriteArrayList<Consumer<CommittedBlock>> listeners = new CopyOnWriteArrayList<>();

    public AutoCloseable subscribe(Consumer<CommittedBlock> listener) {
        if (listeners.size() >= MAX_SUBSCRIBERS) {
            throw new IllegalStateException("too many commit subscribers (" + MAX_SUBSCRIBERS + ")");
        }
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    void publish(CommittedBlock block) {
        for (Consumer<CommittedBlock> listener : listeners) {
            try {
                listener.accept(block);
            } catch (RuntimeException e) {
                LOG.warn("commit listener {} failed at height {}: {}", listener, block.block().header().height(), e.toString());
            }
        }
    }
}
