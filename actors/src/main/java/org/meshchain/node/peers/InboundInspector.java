package org.meshchain.node.peers;

import org.meshchain.core.types.Address;
import org.meshchain.node.wire.WireCodec;

/**
 * Sees every verified inbound message before it is decoded. The node's default does nothing; fault
 * injection tests install one that throws on a chosen message to prove a peer actor's crash is
 * contained (restart, node keeps committing).
 */
@FunctionalInterface
public interface InboundInspector {

    InboundInspector NONE = (from, kind, payload) -> {};

    void inspect(Address from, WireCodec.Kind kind, byte[] payload);
}
