package org.meshchain.node.port;

import java.time.Instant;
import java.util.Optional;
import org.meshchain.core.types.Address;

/** How this node sees another validator: connection, score, and ban (if any). */
public record PeerInfo(Address validator, boolean connected, double score, Optional<Instant> bannedUntil) {}
