package org.meshchain.node.port;

import org.apache.pekko.actor.typed.Behavior;

/**
 * An optional part of the node that the node supervises without knowing it (DESIGN 2: e.g. the
 * hardware bridge). The node spawns {@link #behavior} as a child of its guardian, restarting it with
 * backoff when it fails; an extension failing never stops consensus.
 */
public interface NodeExtension {

    /** Actor name of the extension (unique within the node). */
    String name();

    Behavior<?> behavior(NodeServices services);
}
