package org.meshchain.node.wire;

import java.util.Objects;
import org.meshchain.core.consensus.SafetyState;

/** Journal event of the consensus safety state: the whole state as the core asked to persist it. */
public record SafetyStateRecorded(SafetyState state) {
    public SafetyStateRecorded {
        Objects.requireNonNull(state, "state");
    }
}
