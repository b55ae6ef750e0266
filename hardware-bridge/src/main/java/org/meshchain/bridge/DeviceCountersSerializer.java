package org.meshchain.bridge;

import java.io.NotSerializableException;
import java.util.List;
import org.apache.pekko.serialization.SerializerWithStringManifest;
import org.meshchain.core.codec.CanonicalReader;
import org.meshchain.core.codec.CanonicalWriter;
import org.meshchain.core.codec.DecodeException;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.types.Address;

/**
 * Canonical encoding of {@link DeviceCounters}' event and snapshot for the journal (bound in the
 * module's reference.conf): {@code seq<device [32] || counter u64>}. Strict on read: a corrupt
 * journal entry fails recovery loudly instead of yielding wrong counters.
 */
public final class DeviceCountersSerializer extends SerializerWithStringManifest {

    /** Unique among the node's serializers (Pekko reserves 0..40). */
    public static final int IDENTIFIER = 934_001;
    private static final String EVENT = "advanced-v1";
    private static final String SNAPSHOT = "snapshot-v1";
    private static final int MAX_ENTRIES = 10_000_000;

    @Override
    public int identifier() {
        return IDENTIFIER;
    }

    @Override
    public String manifest(Object o) {
        return switch (o) {
            case DeviceCounters.Advanced a -> EVENT;
            case DeviceCounters.Snapshot s -> SNAPSHOT;
            default -> throw new IllegalArgumentException("not a device-counter type: " + o.getClass());
        };
    }

    @Override
    public byte[] toBinary(Object o) {
        List<DeviceCounters.Claim> claims = switch (o) {
            case DeviceCounters.Advanced a -> a.claims();
            case DeviceCounters.Snapshot s -> s.counters();
            default -> throw new IllegalArgumentException("not a device-counter type: " + o.getClass());
        };
        CanonicalWriter w = new CanonicalWriter(8 + claims.size() * 40);
        w.seq(claims, (ww, c) -> {
            ww.fixed(c.device().hash().toByteArray());
            ww.u64(c.counter());
        });
        return w.toByteArray();
    }

    @Override
    public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
        List<DeviceCounters.Claim> claims;
        try {
            CanonicalReader r = new CanonicalReader(bytes);
            claims = r.seq("counters", MAX_ENTRIES, rr -> new DeviceCounters.Claim(
                    new Address(Hash32.of(rr.fixed("device", 32))), rr.u63("counter")));
            r.finish("counters");
        } catch (DecodeException e) {
            throw new NotSerializableException("corrupt device-counter entry: " + e.getMessage());
        }
        return switch (manifest) {
            case EVENT -> new DeviceCounters.Advanced(claims);
            case SNAPSHOT -> new DeviceCounters.Snapshot(claims);
            default -> throw new NotSerializableException("unknown device-counter manifest " + manifest);
        };
    }
}
