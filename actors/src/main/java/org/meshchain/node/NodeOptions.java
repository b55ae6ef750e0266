package org.meshchain.node;

import java.util.List;
import java.util.Objects;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.node.peers.InboundInspector;
import org.meshchain.node.port.NodeExtension;

/**
 * What a node is started with besides its configuration.
 *
 * @param executors  the execution engine (from {@code org.meshchain.node.execution})
 * @param extensions optional children the node supervises: THE place where the API server and the
 *                   hardware bridge are plugged in ({@link NodeExtension}); restarted with backoff
 * @param key        the validator key when the caller already holds it (devnet, tests); null to read
 *                   the keystore at {@code meshchain.node.key-file}
 * @param inspector  sees verified inbound messages (fault-injection tests); {@link InboundInspector#NONE} normally
 */
public record NodeOptions(BlockExecutorFactory executors, List<NodeExtension> extensions, Ed25519PrivateKey key,
        InboundInspector inspector) {

    public NodeOptions {
        Objects.requireNonNull(executors, "executors");
        extensions = List.copyOf(extensions);
        Objects.requireNonNull(inspector, "inspector");
    }

    public static NodeOptions of(BlockExecutorFactory executors) {
        return new NodeOptions(executors, List.of(), null, InboundInspector.NONE);
    }

    public NodeOptions withExtensions(List<NodeExtension> more) {
        return new NodeOptions(executors, more, key, inspector);
    }

    public NodeOptions withKey(Ed25519PrivateKey validatorKey) {
        return new NodeOptions(executors, extensions, validatorKey, inspector);
    }

    public NodeOptions withInspector(InboundInspector newInspector) {
        return new NodeOptions(executors, extensions, key, newInspector);
    }
}
