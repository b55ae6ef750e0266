package org.meshchain.core.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.codec.DecodeException;
import org.meshchain.core.crypto.Ed25519;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.crypto.Hashing;
import org.meshchain.core.error.ContractError;
import org.meshchain.core.execution.BlockExecution;
import org.meshchain.core.state.AccountState;
import org.meshchain.core.state.DeviceRecord;
import org.meshchain.core.state.StatePaths;
import org.meshchain.core.state.UtxoValue;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.BlockHeader;
import org.meshchain.core.types.ChainId;
import org.meshchain.core.types.Payload;
import org.meshchain.core.types.QuorumCertificate;
import org.meshchain.core.types.SignedTransaction;
import org.meshchain.core.types.TransactionBody;
import org.meshchain.core.types.TxRoot;
import org.meshchain.core.types.VoteData;

class LedgerTest {

    static final ChainId CHAIN = new ChainId("ledger-test");
    static final Ed25519PrivateKey ALICE = key(1);
    static final Ed25519PrivateKey BOB = key(2);
    static final Ed25519PrivateKey DEVICE = key(3);
    static final Address PROPOSER = new Address(Hashing.sha256(new byte[] {9}));
    static final BlockContext AT_10 = new BlockContext(10, 1_700_000_000_000L, PROPOSER);

    /** Contracts are exercised with the real wasm runtime in actors/; here a call must never get that far. */
    static final ContractRuntime NO_CONTRACTS = new ContractRuntime() {
        @Override
        public Optional<ContractError> validate(Bytes code) {
            return Optional.of(new ContractError.InvalidBytecode("no contract engine in ledger unit tests"));
        }

        @Override
        public Outcome call(Invocation call, ContractState state) {
            throw new AssertionError("no contract call expected");
        }
    };

    final Ledger ledger = new Ledger(Ledger.Config.of(CHAIN), NO_CONTRACTS);
    final Map<Hash32, Bytes> pre = new HashMap<>();
    final StateReader preState = p -> Optional.ofNullable(pre.get(p));

    static Ed25519PrivateKey key(int n) {
        byte[] seed = new byte[32];
        Arrays.fill(seed, (byte) n);
        return Ed25519PrivateKey.fromSeed(seed);
    }

    static Address addr(Ed25519PrivateKey k) {
        return Address.of(k.publicKey());
    }

    void fund(Address a, long balance, long locked, long nonce) {
        pre.put(StatePaths.account(a), new AccountState(balance, locked, nonce).encode());
    }

    static SignedTransaction tx(Ed25519PrivateKey sender, long nonce, long fee, Payload payload) {
        return SignedTransaction.sign(new TransactionBody(CHAIN, addr(sender), nonce, fee, 100, payload), sender);
    }

    AccountState account(StateReader s, Ed25519PrivateKey k) {
        return Ledger.account(s, addr(k));
    }

    record Run(Receipt receipt, StateBuffer state) {}

    Run run(SignedTransaction tx) {
        StateBuffer state = StateBuffer.over(preState);
        return new Run(ledger.execute(tx, AT_10, state, tx.hasValidSignature()), state);
    }

    @Test
    void invalidTransactionsAreDiscardedWithoutAnyWrite() {
        fund(addr(ALICE), 1_000, 0, 3);
        Payload pay = new Payload.Transfer(addr(BOB), 1);
        SignedTransaction wrongChain = SignedTransaction.sign(
                new TransactionBody(new ChainId("other"), addr(ALICE), 3, 1, 100, pay), ALICE);
        SignedTransaction expired = SignedTransaction.sign(new TransactionBody(CHAIN, addr(ALICE), 3, 1, 9, pay), ALICE);
        TransactionBody body = new TransactionBody(CHAIN, addr(ALICE), 3, 1, 100, pay);
        SignedTransaction forged = new SignedTransaction(body, ALICE.publicKey(), Ed25519.sign(BOB, body.signingHash()));
        SignedTransaction signedByOther = new SignedTransaction(body, BOB.publicKey(), Ed25519.sign(BOB, body.signingHash()));

        assertThat(run(wrongChain).receipt().errorCode()).isEqualTo("wrong_chain");
        assertThat(run(forged).receipt().errorCode()).isEqualTo("bad_signature");
        assertThat(run(signedByOther).receipt().errorCode()).isEqualTo("bad_signature");
        assertThat(run(expired).receipt().errorCode()).isEqualTo("expired");
        assertThat(run(tx(ALICE, 2, 1, pay)).receipt().errorCode()).isEqualTo("nonce_mismatch");
        assertThat(run(tx(ALICE, 4, 1, pay)).receipt().errorCode()).isEqualTo("nonce_mismatch");
        assertThat(run(tx(ALICE, 3, 1_001, pay)).receipt().errorCode()).isEqualTo("insufficient_balance");
        assertThat(run(tx(ALICE, 3, 1, new Payload.Call(addr(BOB), "f", Bytes.EMPTY, Ledger.Config.DEFAULT_MAX_CALL_GAS + 1,
                Payload.AccessSet.EMPTY))).receipt().errorCode()).isEqualTo("gas_limit_too_high");
        for (SignedTransaction t : List.of(wrongChain, forged, expired, tx(ALICE, 2, 1, pay), tx(ALICE, 3, 1_001, pay))) {
            Run r = run(t);
            assertThat(r.receipt().status()).isEqualTo(Receipt.Status.DISCARDED);
            assertThat(r.receipt().feeCharged()).isZero();
            assertThat(r.state().writes()).isEmpty();
        }
    }

    @Test
    void transferMovesTheAmountAndChargesTheFee() {
        fund(addr(ALICE), 1_000, 5, 0);
        Run r = run(tx(ALICE, 0, 10, new Payload.Transfer(addr(BOB), 990)));
        assertThat(r.receipt().succeeded()).isTrue();
        assertThat(r.receipt().feeCharged()).isEqualTo(10);
        assertThat(account(r.state(), ALICE)).isEqualTo(new AccountState(0, 5, 1));
        assertThat(account(r.state(), BOB)).isEqualTo(new AccountState(990, 0, 0));
    }

    @Test
    void aFailedTransferKeepsFeeAndNonceButNotTheAmount() {
        fund(addr(ALICE), 1_000, 0, 0);
        Run r = run(tx(ALICE, 0, 10, new Payload.Transfer(addr(BOB), 991)));
        assertThat(r.receipt().status()).isEqualTo(Receipt.Status.FAILED);
        assertThat(r.receipt().errorCode()).isEqualTo("insufficient_balance");
        assertThat(r.receipt().errorDetail()).contains("required=1001").contains("available=1000");
        assertThat(account(r.state(), ALICE)).isEqualTo(new AccountState(990, 0, 1));
        assertThat(r.state().writes()).doesNotContainKey(StatePaths.account(addr(BOB)));
    }

    @Test
    void amountArithmeticNeverOverflows() {
        fund(addr(ALICE), Long.MAX_VALUE, 0, 0);
        fund(addr(BOB), Long.MAX_VALUE - 5, 0, 0);
        Run credit = run(tx(ALICE, 0, 1, new Payload.Transfer(addr(BOB), 6)));
        assertThat(credit.receipt().errorCode()).isEqualTo("amount_overflow");
        assertThat(account(credit.state(), BOB).balance()).isEqualTo(Long.MAX_VALUE - 5);
        Run sum = run(tx(BOB, 0, 10, new Payload.Transfer(addr(ALICE), Long.MAX_VALUE)));
        assertThat(sum.receipt().errorCode()).isEqualTo("amount_overflow");
        assertThat(sum.receipt().feeCharged()).isEqualTo(10);
    }

    @Test
    void utxoSpendChecksOwnershipAndSumAndPaysTheFeeOutOfItsInputs() {
        fund(addr(ALICE), 50, 0, 0);
        Payload.UtxoRef a = new Payload.UtxoRef(Hashing.sha256(new byte[] {1}), 0);
        Payload.UtxoRef b = new Payload.UtxoRef(Hashing.sha256(new byte[] {2}), 3);
        Payload.UtxoRef bobs = new Payload.UtxoRef(Hashing.sha256(new byte[] {3}), 0);
        pre.put(StatePaths.utxo(a), UtxoValue.encode(new Payload.UtxoOutput(addr(ALICE), 70)));
        pre.put(StatePaths.utxo(b), UtxoValue.encode(new Payload.UtxoOutput(addr(ALICE), 30)));
        pre.put(StatePaths.utxo(bobs), UtxoValue.encode(new Payload.UtxoOutput(addr(BOB), 30)));
        List<Payload.UtxoRef> inputs = List.of(a, b).stream().sorted().toList();
        SignedTransaction ok = tx(ALICE, 0, 4, new Payload.UtxoSpend(inputs,
                List.of(new Payload.UtxoOutput(addr(BOB), 90), new Payload.UtxoOutput(addr(ALICE), 6))));
        Run r = run(ok);
        assertThat(r.receipt().succeeded()).isTrue();
        assertThat(r.receipt().feeCharged()).isEqualTo(4);
        assertThat(r.state().get(StatePaths.utxo(a))).isEmpty();
        assertThat(r.state().get(StatePaths.utxo(b))).isEmpty();
        assertThat(r.state().get(StatePaths.utxo(new Payload.UtxoRef(ok.id(), 0))))
                .contains(UtxoValue.encode(new Payload.UtxoOutput(addr(BOB), 90)));
        assertThat(r.state().get(StatePaths.utxo(new Payload.UtxoRef(ok.id(), 1))))
                .contains(UtxoValue.encode(new Payload.UtxoOutput(addr(ALICE), 6)));
        assertThat(account(r.state(), ALICE)).isEqualTo(new AccountState(50, 0, 1));

        Run mismatch = run(tx(ALICE, 0, 4, new Payload.UtxoSpend(inputs, List.of(new Payload.UtxoOutput(addr(BOB), 97)))));
        assertThat(mismatch.receipt().errorCode()).isEqualTo("utxo_sum_mismatch");
        assertThat(account(mismatch.state(), ALICE)).isEqualTo(new AccountState(46, 0, 1));
        assertThat(mismatch.state().get(StatePaths.utxo(a))).isPresent();

        Run notOwned = run(tx(ALICE, 0, 4, new Payload.UtxoSpend(List.of(bobs), List.of(new Payload.UtxoOutput(addr(ALICE), 26)))));
        assertThat(notOwned.receipt().errorCode()).isEqualTo("utxo_not_owned");
        Run unknown = run(tx(ALICE, 0, 51, new Payload.UtxoSpend(List.of(new Payload.UtxoRef(Hash32.ZERO, 0)), List.of())));
        assertThat(unknown.receipt().status()).isEqualTo(Receipt.Status.DISCARDED); // failed, and the fee cannot be paid
        assertThat(unknown.receipt().errorCode()).isEqualTo("unknown_utxo");
        assertThat(unknown.state().writes()).isEmpty();
    }

    Block block(List<SignedTransaction> txs) {
        QuorumCertificate qc = new QuorumCertificate(new VoteData(Hash32.ZERO, 0, 0, Hash32.ZERO, Hash32.ZERO), List.of());
        return new Block(new BlockHeader(CHAIN, 10, 10, Hash32.ZERO, 1_700_000_000_000L, PROPOSER, TxRoot.of(txs), qc, null), txs);
    }

    @Test
    void aUtxoCannotBeSpentTwiceInOneBlockAndTheProposerGetsTheFees() {
        fund(addr(ALICE), 50, 0, 0);
        Payload.UtxoRef a = new Payload.UtxoRef(Hashing.sha256(new byte[] {1}), 0);
        pre.put(StatePaths.utxo(a), UtxoValue.encode(new Payload.UtxoOutput(addr(ALICE), 70)));
        SignedTransaction first = tx(ALICE, 0, 0, new Payload.UtxoSpend(List.of(a), List.of(new Payload.UtxoOutput(addr(BOB), 70))));
        SignedTransaction second = tx(ALICE, 1, 3, new Payload.UtxoSpend(List.of(a), List.of(new Payload.UtxoOutput(addr(ALICE), 67))));
        SignedTransaction third = tx(ALICE, 2, 5, new Payload.Transfer(addr(BOB), 1));
        BlockExecution.Result result = BlockExecution.serial(ledger, block(List.of(first, second, third)), preState);
        assertThat(result.receipts()).extracting(Receipt::status)
                .containsExactly(Receipt.Status.SUCCESS, Receipt.Status.FAILED, Receipt.Status.SUCCESS);
        assertThat(result.receipts().get(1).errorCode()).isEqualTo("unknown_utxo");
        assertThat(result.feesCollected()).isEqualTo(8);
        StateReader after = p -> result.writes().containsKey(p) ? result.writes().get(p) : preState.get(p);
        assertThat(Ledger.account(after, PROPOSER)).isEqualTo(new AccountState(8, 0, 0));
        assertThat(Ledger.account(after, addr(ALICE))).isEqualTo(new AccountState(50 - 8 - 1, 0, 3));
        assertThat(result.writes().get(StatePaths.utxo(a))).isEmpty();
        assertThat(result.encodedReceipts()).hasSize(3);
    }

    @Test
    void devicesAreRegisteredWithLockedCollateralAndReportWithIncreasingCounters() {
        fund(addr(ALICE), 1_000, 0, 0);
        Address device = addr(DEVICE);
        Run reg = run(tx(ALICE, 0, 1, new Payload.RegisterDevice(DEVICE.publicKey(), addr(ALICE), 600)));
        assertThat(reg.receipt().succeeded()).isTrue();
        assertThat(account(reg.state(), ALICE)).isEqualTo(new AccountState(399, 600, 1));
        assertThat(reg.state().get(StatePaths.device(device))).contains(new DeviceRecord(DEVICE.publicKey(), addr(ALICE), 600, 0).encode());
        pre.putAll(committed(reg.state()));

        Run again = run(tx(ALICE, 1, 1, new Payload.RegisterDevice(DEVICE.publicKey(), addr(ALICE), 1)));
        assertThat(again.receipt().errorCode()).isEqualTo("device_already_registered");
        Run othersMoney = run(tx(ALICE, 1, 1, new Payload.RegisterDevice(BOB.publicKey(), addr(BOB), 1)));
        assertThat(othersMoney.receipt().errorCode()).isEqualTo("unauthorized");
        Run tooMuch = run(tx(ALICE, 1, 1, new Payload.RegisterDevice(BOB.publicKey(), addr(ALICE), 399)));
        assertThat(tooMuch.receipt().errorCode()).isEqualTo("insufficient_balance");

        fund(device, 10, 0, 0);
        Bytes data = Bytes.of(new byte[] {1, 2, 3});
        Run report = run(tx(DEVICE, 0, 1, new Payload.DeviceReport(device, 1, data)));
        assertThat(report.receipt().succeeded()).isTrue();
        assertThat(report.receipt().events()).containsExactly(new LedgerEvent(device, Ledger.DEVICE_REPORT_TOPIC, data));
        pre.putAll(committed(report.state()));
        assertThat(run(tx(DEVICE, 1, 1, new Payload.DeviceReport(device, 1, data))).receipt().errorCode())
                .isEqualTo("counter_not_increasing");
        assertThat(run(tx(ALICE, 1, 1, new Payload.DeviceReport(device, 2, data))).receipt().succeeded()).isTrue();
        fund(addr(BOB), 10, 0, 0);
        assertThat(run(tx(BOB, 0, 1, new Payload.DeviceReport(device, 5, data))).receipt().errorCode()).isEqualTo("unauthorized");
        assertThat(run(tx(BOB, 0, 1, new Payload.DeviceReport(addr(BOB), 5, data))).receipt().errorCode())
                .isEqualTo("device_not_registered");
    }

    @Test
    void aDeployRejectedByTheRuntimeFailsWithTheFeeCharged() {
        fund(addr(ALICE), 100, 0, 0);
        Run r = run(tx(ALICE, 0, 7, new Payload.Deploy(Bytes.of(new byte[] {0, 'a', 's', 'm'}))));
        assertThat(r.receipt().errorCode()).isEqualTo("contract_failed.invalid_bytecode");
        assertThat(account(r.state(), ALICE)).isEqualTo(new AccountState(93, 0, 1));
        assertThat(r.state().writes()).hasSize(1);
    }

    @Test
    void aCallToAnAddressWithoutCodeFailsBeforeTheRuntime() {
        fund(addr(ALICE), 100, 0, 0);
        Run r = run(tx(ALICE, 0, 7, new Payload.Call(addr(BOB), "run", Bytes.EMPTY, 1_000, Payload.AccessSet.EMPTY)));
        assertThat(r.receipt().errorCode()).isEqualTo("contract_not_found");
        assertThat(r.receipt().feeCharged()).isEqualTo(7);
    }

    static Map<Hash32, Bytes> committed(StateBuffer state) {
        Map<Hash32, Bytes> out = new HashMap<>();
        state.writes().forEach((p, v) -> out.put(p, v.orElseThrow()));
        return out;
    }

    @Test
    void receiptsRoundTripAndDecodeStrictly() throws Exception {
        Receipt r = new Receipt(Receipt.Status.FAILED, "contract_failed.trap", "Trap[message=unreachable]", 5, 1234,
                Bytes.EMPTY, List.of());
        Receipt s = Receipt.success(1, 2, Bytes.of(new byte[] {7}), List.of(new LedgerEvent(PROPOSER, Bytes.of(new byte[] {1}),
                Bytes.of(new byte[] {2, 3}))));
        for (Receipt x : List.of(r, s)) {
            assertThat(Receipt.decode(x.encode())).isEqualTo(x);
        }
        byte[] trailing = Arrays.copyOf(s.encode().toByteArray(), s.encode().length() + 1);
        assertThatThrownBy(() -> Receipt.decode(Bytes.of(trailing))).isInstanceOf(DecodeException.class);
        byte[] badStatus = s.encode().toByteArray();
        badStatus[0] = 3;
        assertThatThrownBy(() -> Receipt.decode(Bytes.of(badStatus))).isInstanceOf(DecodeException.class);
        byte[] successWithCode = r.encode().toByteArray();
        successWithCode[0] = 0;
        assertThatThrownBy(() -> Receipt.decode(Bytes.of(successWithCode))).isInstanceOf(DecodeException.class);
    }

    @Test
    void longErrorDetailsAreCutOnACharacterBoundary() {
        String message = "é".repeat(240) + "😀".repeat(100); // the cut falls inside the 4-byte characters
        Receipt r = Receipt.failed(new org.meshchain.core.error.StateError.ContractFailed(new ContractError.Aborted(message)), 1, 1);
        assertThat(r.errorDetail().getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThanOrEqualTo(Receipt.MAX_DETAIL_BYTES);
        assertThat(r.errorDetail()).startsWith("aborted: éé").endsWith("😀");
        assertThat(new String(r.errorDetail().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(r.errorDetail());
    }
}
