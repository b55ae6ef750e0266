package org.meshchain.core.types;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Ed25519PublicKey;
import org.meshchain.core.crypto.Hash32;

/**
 * What a transaction does (DESIGN 3.3). The variant order is the canonical enum tag order:
 * never reorder, only append.
 */
public sealed interface Payload {

    /** Canonical enum tag of this variant. */
    int tag();

    static void requireAmount(String name, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be in 0..2^63-1, got " + value);
        }
    }

    static <T extends Comparable<T>> void requireStrictlyAscending(String name, List<T> items) {
        for (int i = 1; i < items.size(); i++) {
            if (items.get(i - 1).compareTo(items.get(i)) >= 0) {
                throw new IllegalArgumentException(name + " must be strictly ascending (sorted, no duplicates); "
                        + "element " + i + " is out of order");
            }
        }
    }

    /** Native transfer between accounts. */
    record Transfer(Address to, long amount) implements Payload {
        public Transfer {
            Objects.requireNonNull(to, "to");
            requireAmount("amount", amount);
        }

        @Override
        public int tag() {
            return 0;
        }
    }

    /** A reference to output {@code index} of transaction {@code txId}. */
    record UtxoRef(Hash32 txId, int index) implements Comparable<UtxoRef> {
        public UtxoRef {
            Objects.requireNonNull(txId, "txId");
            if (index < 0) {
                throw new IllegalArgumentException("output index must be non-negative, got " + index);
            }
        }

        @Override
        public int compareTo(UtxoRef other) {
            int c = txId.compareTo(other.txId);
            return c != 0 ? c : Integer.compare(index, other.index);
        }
    }

    record UtxoOutput(Address owner, long amount) {
        public UtxoOutput {
            Objects.requireNonNull(owner, "owner");
            requireAmount("amount", amount);
        }
    }

    /** Spends unspent outputs owned by the sender and creates new ones; inputs are sorted and unique. */
    record UtxoSpend(List<UtxoRef> inputs, List<UtxoOutput> outputs) implements Payload {
        public UtxoSpend {
            inputs = List.copyOf(inputs);
            outputs = List.copyOf(outputs);
            if (inputs.isEmpty()) {
                throw new IllegalArgumentException("a UTXO spend needs at least one input");
            }
            requireStrictlyAscending("inputs", inputs);
        }

        @Override
        public int tag() {
            return 1;
        }
    }

    /** Deploys a WASM module; the contract address is derived from the sender and nonce. */
    record Deploy(Bytes wasm) implements Payload {
        public Deploy {
            Objects.requireNonNull(wasm, "wasm");
        }

        @Override
        public int tag() {
            return 2;
        }
    }

    /** Declared storage keys of a contract call; each list strictly ascending. */
    record AccessSet(List<Bytes> reads, List<Bytes> writes) {
        public static final AccessSet EMPTY = new AccessSet(List.of(), List.of());

        public AccessSet {
            reads = List.copyOf(reads);
            writes = List.copyOf(writes);
            requireStrictlyAscending("reads", reads);
            requireStrictlyAscending("writes", writes);
        }
    }

    /** Calls {@code function} of a deployed contract with declared access set and gas limit. */
    record Call(Address contract, String function, Bytes args, long gasLimit, AccessSet accessSet) implements Payload {
        private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

        public Call {
            Objects.requireNonNull(contract, "contract");
            Objects.requireNonNull(args, "args");
            Objects.requireNonNull(accessSet, "accessSet");
            if (function == null || !IDENTIFIER.matcher(function).matches()) {
                throw new IllegalArgumentException("function must be an identifier [A-Za-z_][A-Za-z0-9_]*, got '" + function + "'");
            }
            requireAmount("gas limit", gasLimit);
        }

        @Override
        public int tag() {
            return 3;
        }
    }

    /** Registers a field device; {@code collateral} is locked from {@code owner}. */
    record RegisterDevice(Ed25519PublicKey deviceKey, Address owner, long collateral) implements Payload {
        public RegisterDevice {
            Objects.requireNonNull(deviceKey, "deviceKey");
            Objects.requireNonNull(owner, "owner");
            requireAmount("collateral", collateral);
        }

        @Override
        public int tag() {
            return 4;
        }
    }

    /** Telemetry from a registered device, anchored on chain; counters strictly increase per device. */
    record DeviceReport(Address device, long counter, Bytes data) implements Payload {
        public DeviceReport {
            Objects.requireNonNull(device, "device");
            Objects.requireNonNull(data, "data");
            requireAmount("counter", counter);
        }

        @Override
        public int tag() {
            return 5;
        }
    }
}
