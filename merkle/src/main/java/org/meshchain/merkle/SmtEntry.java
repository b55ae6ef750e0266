package org.meshchain.merkle;

import java.util.Objects;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Hash32;

/** A (path, value) held by the tree. */
public record SmtEntry(Hash32 path, Bytes value) {

    public SmtEntry {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(value, "value");
    }
}
