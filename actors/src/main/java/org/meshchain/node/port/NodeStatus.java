package org.meshchain.node.port;

import java.util.Optional;
import org.meshchain.core.types.Address;

/** A snapshot of the node's progress for the API, readiness and the devnet status line. */
public record NodeStatus(
        Address self,
        long committedHeight,
        long round,
        Optional<Address> leader,
        boolean syncing,
        int mempoolSize,
        boolean storageOpen) {}
