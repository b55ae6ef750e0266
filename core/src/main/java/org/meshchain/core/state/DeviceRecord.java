package org.meshchain.core.state;

import java.util.Objects;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.codec.CanonicalReader;
import org.meshchain.core.codec.CanonicalWriter;
import org.meshchain.core.codec.DecodeException;
import org.meshchain.core.crypto.Ed25519PublicKey;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.Payload;

/**
 * A registered field device at {@link StatePaths#device} (keyed by the device's address, which is
 * {@code H("Address", deviceKey)}): its key, the owner whose collateral is locked for it, and the
 * highest report counter accepted on chain. Canonical encoding: key (32), owner (32), u64
 * collateral, u64 lastCounter.
 */
public record DeviceRecord(Ed25519PublicKey deviceKey, Address owner, long collateral, long lastCounter) {

    public DeviceRecord {
        Objects.requireNonNull(deviceKey, "deviceKey");
        Objects.requireNonNull(owner, "owner");
        Payload.requireAmount("collateral", collateral);
        Payload.requireAmount("lastCounter", lastCounter);
    }

    public Address device() {
        return Address.of(deviceKey);
    }

    public Bytes encode() {
        CanonicalWriter w = new CanonicalWriter(80);
        w.fixed(deviceKey.toByteArray());
        w.fixed(owner.hash().toByteArray());
        w.u64(collateral).u64(lastCounter);
        return Bytes.of(w.toByteArray());
    }

    public static DeviceRecord decode(Bytes encoded) throws DecodeException {
        CanonicalReader r = new CanonicalReader(encoded.toByteArray());
        byte[] key = r.fixed("deviceKey", 32);
        byte[] owner = r.fixed("owner", 32);
        long collateral = r.u63("collateral");
        long lastCounter = r.u63("lastCounter");
        r.finish("device");
        return new DeviceRecord(Ed25519PublicKey.of(key), new Address(Hash32.of(owner)), collateral, lastCounter);
    }
}
