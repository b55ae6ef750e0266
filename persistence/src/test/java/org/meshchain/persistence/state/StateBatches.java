package org.meshchain.persistence.state;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.crypto.Hashing;
import org.meshchain.merkle.SmtUpdate;

/** State-tree batches for the state store's tests: small integer keys hashed to paths. */
final class StateBatches {

    private StateBatches() {
    }

    static Hash32 path(int key) {
        return Hashing.sha256(ByteBuffer.allocate(4).putInt(key).array());
    }

    /** Up to {@code size} updates (fewer if keys repeat) over {@code keySpace} keys, one in five a delete, sorted. */
    static List<SmtUpdate> randomBatch(Random random, int size, int keySpace) {
        TreeMap<Hash32, SmtUpdate> batch = new TreeMap<>();
        for (int i = 0; i < size; i++) {
            Hash32 p = path(random.nextInt(keySpace));
            batch.put(p, random.nextInt(5) == 0 ? SmtUpdate.delete(p)
                    : SmtUpdate.put(p, Bytes.of(ByteBuffer.allocate(8).putLong(random.nextLong()).array())));
        }
        return new ArrayList<>(batch.values());
    }
}
