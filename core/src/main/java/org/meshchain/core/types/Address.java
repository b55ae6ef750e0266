package org.meshchain.core.types;

import java.util.Objects;
import org.meshchain.core.crypto.Ed25519PublicKey;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.crypto.Hashing;

/** A 32-byte account address: {@code H("Address", public key)} (DESIGN 3.2). Device ids are addresses. */
public record Address(Hash32 hash) implements Comparable<Address> {

    public Address {
        Objects.requireNonNull(hash, "hash");
    }

    public static Address of(Ed25519PublicKey publicKey) {
        return new Address(Hashing.tagged("Address", publicKey.toByteArray()));
    }

    public static Address fromHex(String hex) {
        return new Address(Hash32.fromHex(hex));
    }

    public String toHex() {
        return hash.toHex();
    }

    @Override
    public int compareTo(Address other) {
        return hash.compareTo(other.hash);
    }

    @Override
    public String toString() {
        return hash.toHex();
    }
}
