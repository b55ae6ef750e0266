package org.meshchain.wasm;

import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyExecutable;
import org.graalvm.polyglot.proxy.ProxyObject;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Ed25519;
import org.meshchain.core.crypto.Ed25519PublicKey;
import org.meshchain.core.crypto.Ed25519Signature;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.crypto.Hashing;
import org.meshchain.core.error.ContractError;
import org.meshchain.core.types.Address;

/**
 * The host side of one contract call: implements the MeshChain host API against the call's execution
 * context and (buffered) state view, charges host gas from the instance's gas global, bounds-checks every
 * guest memory access and checks storage and balance accesses against the declared access set.
 */
final class HostEnvironment {
    static final int MAX_KEY_BYTES = 256;
    static final int MAX_VALUE_BYTES = 64 * 1024;
    static final int MAX_RETURN_BYTES = 64 * 1024;
    static final int MAX_TOPIC_BYTES = 64;
    static final int MAX_EVENT_DATA_BYTES = 4096;
    static final int MAX_EVENTS = 64;
    static final int MAX_ABORT_MESSAGE_BYTES = 1024;
    static final int MAX_HASH_INPUT_BYTES = 1024 * 1024;

    private final ExecutionContext ctx;
    private final BufferedStateView state;
    private final GasSchedule gas;
    private final byte[] input;
    private final long gasLimit;
    private final Set<Bytes> readable = new HashSet<>();
    private final Set<Bytes> writable = new HashSet<>();
    private final List<ContractEvent> events = new ArrayList<>();
    private Value gasGlobal;
    private Value memory;
    private ContractError pending;
    private Bytes returnData = Bytes.EMPTY;

    HostEnvironment(ExecutionContext ctx, BufferedStateView state, GasSchedule gas, Bytes input, long gasLimit) {
        this.ctx = ctx;
        this.state = state;
        this.gas = gas;
        this.input = input.toByteArray();
        this.gasLimit = gasLimit;
        writable.addAll(ctx.accessSet().writes());
        readable.addAll(ctx.accessSet().reads());
        readable.addAll(writable);
    }

    void bind(Value gasGlobal, Value memory) {
        this.gasGlobal = gasGlobal;
        this.memory = memory;
    }

    ContractError pending() {
        return pending;
    }

    Bytes returnData() {
        return returnData;
    }

    List<ContractEvent> events() {
        return events;
    }

    Object imports() {
        Map<String, Object> fns = new HashMap<>();
        fns.put("input_size", fn(a -> {
            charge(gas.hostCallBase());
            return input.length;
        }));
        fns.put("input_copy", fn(a -> {
            charge(gas.hostCallBase() + gas.inputByte() * input.length);
            write(u32(a[0]), input);
            return null;
        }));
        fns.put("set_return", fn(a -> {
            charge(gas.hostCallBase());
            long len = u32(a[1]);
            if (len > MAX_RETURN_BYTES) {
                throw fail(new ContractError.Trap("return data longer than " + MAX_RETURN_BYTES + " bytes"));
            }
            charge(gas.returnByte() * len);
            returnData = Bytes.of(read(u32(a[0]), len));
            return null;
        }));
        fns.put("storage_read", fn(a -> {
            charge(gas.hostCallBase() + gas.storageReadBase());
            Bytes key = key(a[0], a[1]);
            if (!readable.contains(AccessKeys.storage(key))) {
                throw fail(new ContractError.AccessViolation(key, "read"));
            }
            Optional<Bytes> value = state.storageGet(ctx.self(), key);
            long valueLen = value.map(Bytes::length).orElse(0);
            charge(gas.storageReadByte() * (key.length() + valueLen));
            if (value.isEmpty()) {
                return -1;
            }
            long cap = u32(a[3]);
            byte[] v = value.get().toByteArray();
            int n = (int) Math.min(cap, v.length);
            byte[] part = n == v.length ? v : java.util.Arrays.copyOf(v, n);
            write(u32(a[2]), part);
            return v.length;
        }));
        fns.put("storage_write", fn(a -> {
            charge(gas.hostCallBase() + gas.storageWriteBase());
            Bytes key = key(a[0], a[1]);
            long len = u32(a[3]);
            if (len > MAX_VALUE_BYTES) {
                throw fail(new ContractError.Trap("storage value longer than " + MAX_VALUE_BYTES + " bytes"));
            }
            if (!writable.contains(AccessKeys.storage(key))) {
                throw fail(new ContractError.AccessViolation(key, "write"));
            }
            charge(gas.storageWriteByte() * (key.length() + len));
            state.storagePut(ctx.self(), key, Bytes.of(read(u32(a[2]), len)));
            return null;
        }));
        fns.put("storage_delete", fn(a -> {
            charge(gas.hostCallBase() + gas.storageDeleteBase());
            Bytes key = key(a[0], a[1]);
            if (!writable.contains(AccessKeys.storage(key))) {
                throw fail(new ContractError.AccessViolation(key, "delete"));
            }
            return state.storageDelete(ctx.self(), key) ? 1 : 0;
        }));
        fns.put("balance", fn(a -> {
            charge(gas.hostCallBase() + gas.balanceBase());
            Address account = address(u32(a[0]));
            Bytes k = AccessKeys.balance(account);
            if (!readable.contains(k)) {
                throw fail(new ContractError.AccessViolation(k, "balance"));
            }
            return state.balance(account);
        }));
        fns.put("transfer", fn(a -> {
            charge(gas.hostCallBase() + gas.transferBase());
            Address to = address(u32(a[0]));
            long amount = a[1].asLong();
            for (Address account : new Address[] {ctx.self(), to}) {
                Bytes k = AccessKeys.balance(account);
                if (!writable.contains(k)) {
                    throw fail(new ContractError.AccessViolation(k, "transfer"));
                }
            }
            if (amount < 0) {
                return 2;
            }
            long from = state.balance(ctx.self());
            if (from < amount) {
                return 1;
            }
            if (!to.equals(ctx.self())) {
                long toBalance = state.balance(to);
                if (Long.MAX_VALUE - toBalance < amount) {
                    return 2;
                }
                state.setBalance(ctx.self(), from - amount);
                state.setBalance(to, toBalance + amount);
            }
            return 0;
        }));
        fns.put("block_height", fn(a -> {
            charge(gas.hostCallBase());
            return ctx.blockHeight();
        }));
        fns.put("block_timestamp", fn(a -> {
            charge(gas.hostCallBase());
            return ctx.blockTimestampMillis();
        }));
        fns.put("caller", fn(a -> {
            charge(gas.hostCallBase());
            write(u32(a[0]), ctx.caller().hash().toByteArray());
            return null;
        }));
        fns.put("self_address", fn(a -> {
            charge(gas.hostCallBase());
            write(u32(a[0]), ctx.self().hash().toByteArray());
            return null;
        }));
        fns.put("emit_event", fn(a -> {
            charge(gas.hostCallBase() + gas.eventBase());
            long tl = u32(a[1]);
            long dl = u32(a[3]);
            if (tl > MAX_TOPIC_BYTES || dl > MAX_EVENT_DATA_BYTES) {
                throw fail(new ContractError.Trap("event topic or data too long"));
            }
            if (events.size() >= MAX_EVENTS) {
                throw fail(new ContractError.Trap("more than " + MAX_EVENTS + " events"));
            }
            charge(gas.eventByte() * (tl + dl));
            events.add(new ContractEvent(ctx.self(), Bytes.of(read(u32(a[0]), tl)), Bytes.of(read(u32(a[2]), dl))));
            return null;
        }));
        fns.put("sha256", fn(a -> {
            charge(gas.hostCallBase() + gas.sha256Base());
            long len = u32(a[1]);
            if (len > MAX_HASH_INPUT_BYTES) {
                throw fail(new ContractError.Trap("sha256 input longer than " + MAX_HASH_INPUT_BYTES + " bytes"));
            }
            charge(gas.sha256Byte() * len);
            byte[] data = read(u32(a[0]), len);
            write(u32(a[2]), Hashing.sha256(data).toByteArray());
            return null;
        }));
        fns.put("ed25519_verify", fn(a -> {
            long len = u32(a[1]);
            charge(gas.hostCallBase() + gas.ed25519Verify());
            if (len > MAX_HASH_INPUT_BYTES) {
                throw fail(new ContractError.Trap("ed25519_verify message longer than " + MAX_HASH_INPUT_BYTES + " bytes"));
            }
            charge(gas.sha256Byte() * len);
            byte[] msg = read(u32(a[0]), len);
            byte[] pub = read(u32(a[2]), 32);
            byte[] sig = read(u32(a[3]), 64);
            try {
                return Ed25519.verify(Ed25519PublicKey.of(pub), msg, Ed25519Signature.of(sig)) ? 1 : 0;
            } catch (IllegalArgumentException e) {
                return 0; // not a valid key or signature encoding
            }
        }));
        fns.put("abort", fn(a -> {
            charge(gas.hostCallBase());
            long len = Math.min(u32(a[1]), MAX_ABORT_MESSAGE_BYTES);
            byte[] msg = read(u32(a[0]), len);
            String text;
            try {
                text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                        .onUnmappableCharacter(CodingErrorAction.REPLACE).decode(java.nio.ByteBuffer.wrap(msg)).toString();
            } catch (java.nio.charset.CharacterCodingException e) {
                throw new IllegalStateException(e);
            }
            throw fail(new ContractError.Aborted(text));
        }));
        return ProxyObject.fromMap(Map.of(HostApi.MODULE, ProxyObject.fromMap(fns)));
    }

    private interface HostFn {
        Object apply(Value[] args);
    }

    private ProxyExecutable fn(HostFn f) {
        return args -> {
            if (pending != null) {
                throw new ContractException(pending);
            }
            return f.apply(args);
        };
    }

    private ContractException fail(ContractError e) {
        pending = e;
        return new ContractException(e);
    }

    /** Deducts {@code amount} from the instance's gas global; out of gas aborts the call. */
    void charge(long amount) {
        long left = gasGlobal.getMember("value").asLong();
        if (amount < 0 || left < amount) {
            throw fail(new ContractError.OutOfGas(gasLimit));
        }
        gasGlobal.putMember("value", left - amount);
    }

    private static long u32(Value v) {
        return Integer.toUnsignedLong(v.asInt());
    }

    private Bytes key(Value ptr, Value len) {
        long n = u32(len);
        if (n == 0 || n > MAX_KEY_BYTES) {
            throw fail(new ContractError.Trap("storage key length must be 1.." + MAX_KEY_BYTES + ", got " + n));
        }
        byte[] k = read(u32(ptr), n);
        if (k[0] == AccessKeys.RESERVED_PREFIX) {
            throw fail(new ContractError.Trap("storage keys starting with '$' are reserved"));
        }
        return Bytes.of(k);
    }

    private Address address(long ptr) {
        return new Address(Hash32.of(read(ptr, 32)));
    }

    private void checkBounds(long ptr, long len) {
        if (memory == null || ptr + len > memory.getBufferSize()) {
            throw fail(new ContractError.Trap("host memory access out of bounds: [" + ptr + ", " + (ptr + len) + ")"));
        }
    }

    private byte[] read(long ptr, long len) {
        checkBounds(ptr, len);
        byte[] out = new byte[(int) len];
        if (len > 0) {
            memory.readBuffer(ptr, out, 0, (int) len);
        }
        return out;
    }

    private void write(long ptr, byte[] data) {
        checkBounds(ptr, data.length);
        int i = 0;
        for (; i + 8 <= data.length; i += 8) {
            long v = 0;
            for (int j = 7; j >= 0; j--) {
                v = (v << 8) | (data[i + j] & 0xFF);
            }
            memory.writeBufferLong(java.nio.ByteOrder.LITTLE_ENDIAN, ptr + i, v);
        }
        for (; i < data.length; i++) {
            memory.writeBufferByte(ptr + i, data[i]);
        }
    }
}
