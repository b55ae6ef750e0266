package org.meshchain.node;

import org.apache.pekko.actor.typed.ActorRef;
import org.meshchain.node.peers.PeerManager;

/**
 * The node's long-lived actors, filled in by the guardian as it spawns them (supervised restarts keep
 * the same refs). Read by NodeServices and by actors created before the ones they talk to.
 */
public final class NodeRefs {
    public volatile ActorRef<StorageActor.Command> storage;
    public volatile ActorRef<PeerManager.Command> peers;
    public volatile ActorRef<LeaderActor.Command> leader;
    public volatile ActorRef<MempoolActor.Command> mempool;
    public volatile ActorRef<org.meshchain.node.sync.SyncActor.Command> sync;
}
