package org.meshchain.merkle;

import java.util.Objects;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Hash32;

/** One change in a batch: put {@code value} at {@code path}, or delete the path ({@code value == null}). */
public record SmtUpdate(Hash32 path, Bytes value) {

    public SmtUpdate {
        Objects.requireNonNull(path, "path");
    }

    public static SmtUpdate put(Hash32 path, Bytes value) {
        return new SmtUpdate(path, Objects.requireNonNull(value, "value"));
    }

    public static SmtUpdate delete(Hash32 path) {
        return new SmtUpdate(path, null);
    }

    public boolean isDelete() {
        return value == null;
    }
}
