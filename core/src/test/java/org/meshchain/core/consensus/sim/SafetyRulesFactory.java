package org.meshchain.core.consensus.sim;

import org.meshchain.core.consensus.PersistentSafetyRules;
import org.meshchain.core.consensus.SafetyRules;
import org.meshchain.core.consensus.SafetyState;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.types.ChainId;

/** How the simulator builds an honest node's safety rules from its persisted state (pluggable for broken ones). */
@FunctionalInterface
public interface SafetyRulesFactory {

    SafetyRulesFactory REAL = PersistentSafetyRules::new;

    SafetyRules create(ChainId chainId, Ed25519PrivateKey key, SafetyState persisted);
}
