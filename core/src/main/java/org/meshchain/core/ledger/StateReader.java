package org.meshchain.core.ledger;

import java.util.Optional;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Hash32;

/** Read port over one state version: the value at a {@link org.meshchain.core.state.StatePaths} path, if any. */
@FunctionalInterface
public interface StateReader {

    Optional<Bytes> get(Hash32 path);
}
