package org.meshchain.core.ledger;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.codec.CanonicalWriter;
import org.meshchain.core.codec.DecodeException;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.crypto.Hashing;
import org.meshchain.core.error.ContractError;
import org.meshchain.core.error.StateError;
import org.meshchain.core.state.AccountState;
import org.meshchain.core.state.DeviceRecord;
import org.meshchain.core.state.StatePaths;
import org.meshchain.core.state.UtxoValue;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.ChainId;
import org.meshchain.core.types.Payload;
import org.meshchain.core.types.SignedTransaction;
import org.meshchain.core.types.TransactionBody;

/**
 * The ledger rules (DESIGN 3.3, 4): the state transition of one transaction. Pure and deterministic:
 * everything it reads and writes goes through the given {@link StateBuffer}, contracts through the
 * {@link ContractRuntime} port. See docs/adr/0020-ledger-rules.md for the rules in prose.
 *
 * <p>Order of checks: chain id, signature, expiry, exact next nonce, per-call gas cap, fee payable —
 * any failure there DISCARDS the transaction (nothing written, nonce unused). Then the fee is charged
 * and the nonce used, and the payload runs in a nested buffer that is kept only if it succeeds (FAILED
 * receipts keep the fee and the nonce). A UTXO spend pays its fee out of its inputs when it succeeds and
 * out of the sender's balance when it fails.
 */
public final class Ledger {

    /** Topic of the ledger event a device report emits. */
    public static final Bytes DEVICE_REPORT_TOPIC = Bytes.of("device_report".getBytes(StandardCharsets.US_ASCII));

    /**
     * Protocol parameters of the ledger. {@code maxCallGas} caps a call's gas limit so that no
     * transaction can make every node run a contract for long (the wasm runtime's wall-clock guard would
     * otherwise turn it into a node fault).
     */
    public record Config(ChainId chainId, long maxCallGas) {
        public static final long DEFAULT_MAX_CALL_GAS = 100_000_000L;

        public Config {
            Objects.requireNonNull(chainId, "chainId");
            if (maxCallGas <= 0) {
                throw new IllegalArgumentException("ledger.max-call-gas = " + maxCallGas + ": must be positive");
            }
        }

        public static Config of(ChainId chainId) {
            return new Config(chainId, DEFAULT_MAX_CALL_GAS);
        }
    }

    private final Config config;
    private final ContractRuntime runtime;

    public Ledger(Config config, ContractRuntime runtime) {
        this.config = Objects.requireNonNull(config, "config");
        this.runtime = Objects.requireNonNull(runtime, "runtime");
    }

    public Config config() {
        return config;
    }

    /** The address of the contract that {@code sender}'s transaction with {@code nonce} deploys. */
    public static Address contractAddress(Address sender, long nonce) {
        byte[] in = new CanonicalWriter(40).fixed(sender.hash().toByteArray()).u64(nonce).toByteArray();
        return new Address(Hashing.tagged("ContractAddress", in));
    }

    /** The account at {@code address} (the empty account if none). State is only written by the ledger. */
    public static AccountState account(StateReader state, Address address) {
        Optional<Bytes> value = state.get(StatePaths.account(address));
        if (value.isEmpty()) {
            return AccountState.EMPTY;
        }
        try {
            return AccountState.decode(value.get());
        } catch (DecodeException e) {
            throw new IllegalStateException("account " + address + " holds a value that does not decode: " + e.getMessage(), e);
        }
    }

    /**
     * Applies {@code tx} in the block described by {@code block}; writes go to
     * {@code state} (the transaction's own buffer). {@code signatureValid} is the result of
     * {@link SignedTransaction#hasValidSignature()} (computed by the caller, possibly in parallel).
     */
    public Receipt execute(SignedTransaction tx, BlockContext block, StateBuffer state, boolean signatureValid) {
        TransactionBody body = tx.body();
        Address sender = body.sender();
        if (!body.chainId().equals(config.chainId())) {
            return Receipt.discarded(new StateError.WrongChain(config.chainId(), body.chainId()));
        }
        if (!signatureValid) {
            return Receipt.discarded(new StateError.BadSignature(sender));
        }
        if (block.height() > body.expiryHeight()) {
            return Receipt.discarded(new StateError.Expired(body.expiryHeight(), block.height()));
        }
        AccountState account = account(state, sender);
        if (body.nonce() != account.nextNonce()) {
            return Receipt.discarded(new StateError.NonceMismatch(sender, account.nextNonce(), body.nonce()));
        }
        if (account.nextNonce() == Long.MAX_VALUE) {
            return Receipt.discarded(new StateError.AmountOverflow("nonce"));
        }
        if (body.payload() instanceof Payload.Call call && call.gasLimit() > config.maxCallGas()) {
            return Receipt.discarded(new StateError.GasLimitTooHigh(call.gasLimit(), config.maxCallGas()));
        }
        long fee = body.fee();
        Hash32 senderPath = StatePaths.account(sender);
        if (body.payload() instanceof Payload.UtxoSpend spend) {
            StateBuffer attempt = state.child();
            StateError error = utxoSpend(tx, spend, attempt, sender, fee);
            if (error == null) {
                attempt.mergeInto(state);
                state.put(senderPath, new AccountState(account.balance(), account.locked(), account.nextNonce() + 1).encode());
                return Receipt.success(fee, 0, Bytes.EMPTY, List.of());
            }
            if (account.balance() < fee) {
                return Receipt.discarded(error);
            }
            state.put(senderPath, new AccountState(account.balance() - fee, account.locked(), account.nextNonce() + 1).encode());
            return Receipt.failed(error, fee, 0);
        }
        if (account.balance() < fee) {
            return Receipt.discarded(new StateError.InsufficientBalance(sender, fee, account.balance()));
        }
        state.put(senderPath, new AccountState(account.balance() - fee, account.locked(), account.nextNonce() + 1).encode());
        StateBuffer attempt = state.child();
        PayloadResult result = switch (body.payload()) {
            case Payload.Transfer t -> transfer(t, attempt, sender, fee);
            case Payload.Deploy d -> deploy(d, attempt, sender, body.nonce());
            case Payload.Call c -> call(c, attempt, sender, block);
            case Payload.RegisterDevice r -> registerDevice(r, attempt, sender, fee);
            case Payload.DeviceReport r -> deviceReport(r, attempt, sender);
            case Payload.UtxoSpend s -> throw new AssertionError("handled above");
        };
        if (result.error() != null) {
            return Receipt.failed(result.error(), fee, result.gasUsed());
        }
        attempt.mergeInto(state);
        return Receipt.success(fee, result.gasUsed(), result.output(), result.events());
    }

    private record PayloadResult(StateError error, long gasUsed, Bytes output, List<LedgerEvent> events) {
        static PayloadResult ok() {
            return new PayloadResult(null, 0, Bytes.EMPTY, List.of());
        }

        static PayloadResult fail(StateError error) {
            return new PayloadResult(error, 0, Bytes.EMPTY, List.of());
        }
    }

    private PayloadResult transfer(Payload.Transfer t, StateBuffer state, Address sender, long fee) {
        AccountState from = account(state, sender);
        if (from.balance() < t.amount()) {
            return PayloadResult.fail(insufficient(sender, t.amount(), fee, from.balance()));
        }
        if (t.to().equals(sender)) {
            return PayloadResult.ok();
        }
        AccountState to = account(state, t.to());
        long credited;
        try {
            credited = Math.addExact(to.balance(), t.amount());
        } catch (ArithmeticException e) {
            return PayloadResult.fail(new StateError.AmountOverflow("recipient balance"));
        }
        state.put(StatePaths.account(sender), new AccountState(from.balance() - t.amount(), from.locked(), from.nextNonce()).encode());
        state.put(StatePaths.account(t.to()), new AccountState(credited, to.locked(), to.nextNonce()).encode());
        return PayloadResult.ok();
    }

    /** Needed {@code amount + fee} against the balance before the fee was taken (overflow-safe). */
    private static StateError insufficient(Address account, long amount, long fee, long balanceAfterFee) {
        try {
            return new StateError.InsufficientBalance(account, Math.addExact(amount, fee), balanceAfterFee + fee);
        } catch (ArithmeticException e) {
            return new StateError.AmountOverflow("amount + fee");
        }
    }

    /** Returns null on success, with the writes in {@code state}. */
    private StateError utxoSpend(SignedTransaction tx, Payload.UtxoSpend spend, StateBuffer state, Address sender, long fee) {
        long inputs = 0;
        for (Payload.UtxoRef ref : spend.inputs()) {
            Optional<Bytes> stored = state.get(StatePaths.utxo(ref));
            if (stored.isEmpty()) {
                return new StateError.UnknownUtxo(ref);
            }
            Payload.UtxoOutput output;
            try {
                output = UtxoValue.decode(stored.get());
            } catch (DecodeException e) {
                throw new IllegalStateException("UTXO " + ref + " holds a value that does not decode: " + e.getMessage(), e);
            }
            if (!output.owner().equals(sender)) {
                return new StateError.UtxoNotOwned(ref, output.owner());
            }
            try {
                inputs = Math.addExact(inputs, output.amount());
            } catch (ArithmeticException e) {
                return new StateError.AmountOverflow("sum of UTXO inputs");
            }
        }
        long outputsPlusFee = fee;
        for (Payload.UtxoOutput output : spend.outputs()) {
            try {
                outputsPlusFee = Math.addExact(outputsPlusFee, output.amount());
            } catch (ArithmeticException e) {
                return new StateError.AmountOverflow("sum of UTXO outputs and fee");
            }
        }
        if (inputs != outputsPlusFee) {
            return new StateError.UtxoSumMismatch(inputs, outputsPlusFee);
        }
        for (Payload.UtxoRef ref : spend.inputs()) {
            state.delete(StatePaths.utxo(ref));
        }
        Hash32 txId = tx.id();
        for (int i = 0; i < spend.outputs().size(); i++) {
            state.put(StatePaths.utxo(new Payload.UtxoRef(txId, i)), UtxoValue.encode(spend.outputs().get(i)));
        }
        return null;
    }

    private PayloadResult deploy(Payload.Deploy d, StateBuffer state, Address sender, long nonce) {
        Optional<ContractError> invalid = runtime.validate(d.wasm());
        if (invalid.isPresent()) {
            return PayloadResult.fail(new StateError.ContractFailed(invalid.get()));
        }
        Address contract = contractAddress(sender, nonce);
        Hash32 codeHash = Hashing.sha256(d.wasm().toByteArray());
        state.put(StatePaths.contract(contract), Bytes.of(codeHash.toByteArray()));
        state.put(StatePaths.code(codeHash), d.wasm());
        return new PayloadResult(null, 0, Bytes.of(contract.hash().toByteArray()), List.of());
    }

    private PayloadResult call(Payload.Call c, StateBuffer state, Address sender, BlockContext block) {
        if (state.get(StatePaths.contract(c.contract())).isEmpty()) {
            return PayloadResult.fail(new StateError.ContractNotFound(c.contract()));
        }
        ContractRuntime.Outcome outcome = runtime.call(new ContractRuntime.Invocation(block.height(), block.timestampMillis(),
                sender, c.contract(), c.function(), c.args(), c.gasLimit(), c.accessSet()), state);
        if (outcome.error().isPresent()) {
            return new PayloadResult(new StateError.ContractFailed(outcome.error().get()), outcome.gasUsed(), Bytes.EMPTY, List.of());
        }
        return new PayloadResult(null, outcome.gasUsed(), outcome.returnData(), outcome.events());
    }

    private PayloadResult registerDevice(Payload.RegisterDevice r, StateBuffer state, Address sender, long fee) {
        if (!r.owner().equals(sender)) {
            return PayloadResult.fail(new StateError.Unauthorized(sender, "collateral is locked from the sender: owner must be the sender"));
        }
        Address device = Address.of(r.deviceKey());
        Hash32 devicePath = StatePaths.device(device);
        if (state.get(devicePath).isPresent()) {
            return PayloadResult.fail(new StateError.DeviceAlreadyRegistered(device));
        }
        AccountState owner = account(state, sender);
        if (owner.balance() < r.collateral()) {
            return PayloadResult.fail(insufficient(sender, r.collateral(), fee, owner.balance()));
        }
        long locked;
        try {
            locked = Math.addExact(owner.locked(), r.collateral());
        } catch (ArithmeticException e) {
            return PayloadResult.fail(new StateError.AmountOverflow("locked collateral"));
        }
        state.put(StatePaths.account(sender), new AccountState(owner.balance() - r.collateral(), locked, owner.nextNonce()).encode());
        state.put(devicePath, new DeviceRecord(r.deviceKey(), r.owner(), r.collateral(), 0).encode());
        return PayloadResult.ok();
    }

    private PayloadResult deviceReport(Payload.DeviceReport r, StateBuffer state, Address sender) {
        Hash32 devicePath = StatePaths.device(r.device());
        Optional<Bytes> stored = state.get(devicePath);
        if (stored.isEmpty()) {
            return PayloadResult.fail(new StateError.DeviceNotRegistered(r.device()));
        }
        DeviceRecord record;
        try {
            record = DeviceRecord.decode(stored.get());
        } catch (DecodeException e) {
            throw new IllegalStateException("device " + r.device() + " holds a value that does not decode: " + e.getMessage(), e);
        }
        if (!sender.equals(r.device()) && !sender.equals(record.owner())) {
            return PayloadResult.fail(new StateError.Unauthorized(sender, "reports are sent by the device or its owner"));
        }
        if (r.counter() <= record.lastCounter()) {
            return PayloadResult.fail(new StateError.CounterNotIncreasing(r.device(), record.lastCounter(), r.counter()));
        }
        state.put(devicePath, new DeviceRecord(record.deviceKey(), record.owner(), record.collateral(), r.counter()).encode());
        return new PayloadResult(null, 0, Bytes.EMPTY, List.of(new LedgerEvent(r.device(), DEVICE_REPORT_TOPIC, r.data())));
    }
}
