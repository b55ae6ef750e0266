package org.meshchain.core.types;

import java.util.function.Supplier;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.codec.CanonicalCodec;
import org.meshchain.core.codec.CanonicalReader;
import org.meshchain.core.codec.CanonicalWriter;
import org.meshchain.core.codec.DecodeException;
import org.meshchain.core.crypto.Ed25519PublicKey;
import org.meshchain.core.crypto.Ed25519Signature;
import org.meshchain.core.crypto.Hash32;

/**
 * Canonical codecs of the domain types (DESIGN 3.1). Encoding needs no limits; decoding enforces
 * the {@link ProtocolLimits} this instance was built with, and domain rules (sorted sequences,
 * amount ranges, identifiers) so that every accepted input re-encodes to the same bytes.
 */
public final class DomainCodecs {

    public static final DomainCodecs DEFAULT = new DomainCodecs(ProtocolLimits.DEFAULT);

    private final ProtocolLimits limits;

    public DomainCodecs(ProtocolLimits limits) {
        this.limits = limits;
    }

    public ProtocolLimits limits() {
        return limits;
    }

    // ---------------------------------------------------------------- public codecs

    public CanonicalCodec<SignedTransaction> signedTransaction() {
        return codec(DomainCodecs::writeSignedTransaction, this::readSignedTransaction);
    }

    public CanonicalCodec<TransactionBody> transactionBody() {
        return codec(DomainCodecs::writeBody, this::readBody);
    }

    public CanonicalCodec<Block> block() {
        return codec(DomainCodecs::writeBlock, this::readBlock);
    }

    public CanonicalCodec<BlockHeader> blockHeader() {
        return codec(DomainCodecs::writeHeader, this::readHeader);
    }

    public CanonicalCodec<VoteData> voteData() {
        return codec(DomainCodecs::writeVoteData, DomainCodecs::readVoteData);
    }

    public CanonicalCodec<QuorumCertificate> quorumCertificate() {
        return codec(DomainCodecs::writeQc, this::readQc);
    }

    public CanonicalCodec<TimeoutCertificate> timeoutCertificate() {
        return codec(DomainCodecs::writeTc, this::readTc);
    }

    public CanonicalCodec<Vote> vote() {
        return codec(DomainCodecs::writeVote, DomainCodecs::readVote);
    }

    public CanonicalCodec<Timeout> timeout() {
        return codec(DomainCodecs::writeTimeout, this::readTimeout);
    }

    public SignedTransaction decodeTransaction(byte[] bytes) throws DecodeException {
        return signedTransaction().decode(bytes, limits.maxTransactionBytes(), "transaction");
    }

    public Block decodeBlock(byte[] bytes) throws DecodeException {
        return block().decode(bytes, limits.maxBlockBytes(), "block");
    }

    private interface Reading<T> {
        T read(CanonicalReader reader) throws DecodeException;
    }

    private static <T> CanonicalCodec<T> codec(CanonicalWriter.ElementWriter<T> writer, Reading<T> reader) {
        return new CanonicalCodec<>() {
            @Override
            public void write(CanonicalWriter w, T value) {
                writer.write(w, value);
            }

            @Override
            public T read(CanonicalReader r) throws DecodeException {
                return reader.read(r);
            }
        };
    }

    // ---------------------------------------------------------------- static encoders

    public static byte[] encode(TransactionBody body) {
        CanonicalWriter w = new CanonicalWriter(256);
        writeBody(w, body);
        return w.toByteArray();
    }

    public static byte[] encode(SignedTransaction tx) {
        return tx.canonicalBytes().clone();
    }

    /** Encodes from the components (what {@link SignedTransaction} keeps the result of). */
    static byte[] encodeFresh(SignedTransaction tx) {
        CanonicalWriter w = new CanonicalWriter(256);
        writeBody(w, tx.body());
        writePublicKey(w, tx.signerPublicKey());
        writeSignature(w, tx.signature());
        return w.toByteArray();
    }

    public static byte[] encode(BlockHeader header) {
        CanonicalWriter w = new CanonicalWriter(512);
        writeHeader(w, header);
        return w.toByteArray();
    }

    public static byte[] encode(Block block) {
        CanonicalWriter w = new CanonicalWriter(1024);
        writeBlock(w, block);
        return w.toByteArray();
    }

    public static byte[] encode(VoteData data) {
        CanonicalWriter w = new CanonicalWriter(128);
        writeVoteData(w, data);
        return w.toByteArray();
    }

    static byte[] encodeTimeoutSigningData(ChainId chainId, long round, long highQcRound) {
        CanonicalWriter w = new CanonicalWriter(64);
        w.string(chainId.value()).u64(round).u64(highQcRound);
        return w.toByteArray();
    }

    // ---------------------------------------------------------------- primitives

    static void writeHash(CanonicalWriter w, Hash32 hash) {
        w.fixed(hash.toByteArray());
    }

    static Hash32 readHash(CanonicalReader r, String field) throws DecodeException {
        return Hash32.of(r.fixed(field, Hash32.LENGTH));
    }

    static void writeAddress(CanonicalWriter w, Address address) {
        writeHash(w, address.hash());
    }

    static Address readAddress(CanonicalReader r, String field) throws DecodeException {
        return new Address(readHash(r, field));
    }

    static void writeChainId(CanonicalWriter w, ChainId chainId) {
        w.string(chainId.value());
    }

    static ChainId readChainId(CanonicalReader r) throws DecodeException {
        String value = r.string("chain_id", ChainId.MAX_LENGTH);
        return build("chain_id", () -> new ChainId(value));
    }

    static void writePublicKey(CanonicalWriter w, Ed25519PublicKey key) {
        w.fixed(key.toByteArray());
    }

    static Ed25519PublicKey readPublicKey(CanonicalReader r, String field) throws DecodeException {
        return Ed25519PublicKey.of(r.fixed(field, Ed25519PublicKey.LENGTH));
    }

    static void writeSignature(CanonicalWriter w, Ed25519Signature signature) {
        w.fixed(signature.toByteArray());
    }

    static Ed25519Signature readSignature(CanonicalReader r, String field) throws DecodeException {
        return Ed25519Signature.of(r.fixed(field, Ed25519Signature.LENGTH));
    }

    /** Runs a record constructor, turning its domain-rule violation into a DecodeException for {@code field}. */
    static <T> T build(String field, Supplier<T> constructor) throws DecodeException {
        try {
            return constructor.get();
        } catch (IllegalArgumentException e) {
            throw new DecodeException(field, DecodeException.Kind.INVALID_VALUE, e.getMessage());
        }
    }

    // ---------------------------------------------------------------- payloads

    static void writePayload(CanonicalWriter w, Payload payload) {
        w.tag(payload.tag());
        switch (payload) {
            case Payload.Transfer t -> {
                writeAddress(w, t.to());
                w.u64(t.amount());
            }
            case Payload.UtxoSpend s -> {
                w.seq(s.inputs(), (ww, in) -> {
                    writeHash(ww, in.txId());
                    ww.u32(in.index());
                });
                w.seq(s.outputs(), (ww, out) -> {
                    writeAddress(ww, out.owner());
                    ww.u64(out.amount());
                });
            }
            case Payload.Deploy d -> w.bytes(d.wasm());
            case Payload.Call c -> {
                writeAddress(w, c.contract());
                w.string(c.function());
                w.bytes(c.args());
                w.u64(c.gasLimit());
                w.seq(c.accessSet().reads(), CanonicalWriter::bytes);
                w.seq(c.accessSet().writes(), CanonicalWriter::bytes);
            }
            case Payload.RegisterDevice rd -> {
                writePublicKey(w, rd.deviceKey());
                writeAddress(w, rd.owner());
                w.u64(rd.collateral());
            }
            case Payload.DeviceReport dr -> {
                writeAddress(w, dr.device());
                w.u64(dr.counter());
                w.bytes(dr.data());
            }
        }
    }

    Payload readPayload(CanonicalReader r) throws DecodeException {
        int tag = r.tag("payload", 6);
        return switch (tag) {
            case 0 -> {
                Address to = readAddress(r, "transfer.to");
                long amount = r.u63("transfer.amount");
                yield new Payload.Transfer(to, amount);
            }
            case 1 -> {
                var inputs = r.seq("utxo_spend.inputs", limits.maxUtxoInputs(), rr -> {
                    Hash32 txId = readHash(rr, "utxo_spend.inputs.tx_id");
                    long index = rr.u32("utxo_spend.inputs.index");
                    if (index > Integer.MAX_VALUE) {
                        throw new DecodeException("utxo_spend.inputs.index", DecodeException.Kind.INVALID_VALUE,
                                "index " + index + " over 2^31-1");
                    }
                    return new Payload.UtxoRef(txId, (int) index);
                });
                var outputs = r.seq("utxo_spend.outputs", limits.maxUtxoOutputs(), rr -> {
                    Address owner = readAddress(rr, "utxo_spend.outputs.owner");
                    long amount = rr.u63("utxo_spend.outputs.amount");
                    return new Payload.UtxoOutput(owner, amount);
                });
                yield build("utxo_spend", () -> new Payload.UtxoSpend(inputs, outputs));
            }
            case 2 -> new Payload.Deploy(r.bytes("deploy.wasm", limits.maxWasmBytes()));
            case 3 -> {
                Address contract = readAddress(r, "call.contract");
                String function = r.string("call.function", limits.maxFunctionNameBytes());
                Bytes args = r.bytes("call.args", limits.maxCallArgsBytes());
                long gasLimit = r.u63("call.gas_limit");
                var reads = r.seq("call.access_set.reads", limits.maxAccessSetKeys(),
                        rr -> rr.bytes("call.access_set.reads.key", limits.maxStateKeyBytes()));
                var writes = r.seq("call.access_set.writes", limits.maxAccessSetKeys(),
                        rr -> rr.bytes("call.access_set.writes.key", limits.maxStateKeyBytes()));
                Payload.AccessSet accessSet = build("call.access_set", () -> new Payload.AccessSet(reads, writes));
                yield build("call.function", () -> new Payload.Call(contract, function, args, gasLimit, accessSet));
            }
            case 4 -> {
                Ed25519PublicKey deviceKey = readPublicKey(r, "register_device.device_key");
                Address owner = readAddress(r, "register_device.owner");
                long collateral = r.u63("register_device.collateral");
                yield new Payload.RegisterDevice(deviceKey, owner, collateral);
            }
            case 5 -> {
                Address device = readAddress(r, "device_report.device");
                long counter = r.u63("device_report.counter");
                Bytes data = r.bytes("device_report.data", limits.maxReportDataBytes());
                yield new Payload.DeviceReport(device, counter, data);
            }
            default -> throw new AssertionError("tag() bounds the variant: " + tag);
        };
    }

    // ---------------------------------------------------------------- transactions

    static void writeBody(CanonicalWriter w, TransactionBody body) {
        writeChainId(w, body.chainId());
        writeAddress(w, body.sender());
        w.u64(body.nonce()).u64(body.fee()).u64(body.expiryHeight());
        writePayload(w, body.payload());
    }

    TransactionBody readBody(CanonicalReader r) throws DecodeException {
        ChainId chainId = readChainId(r);
        Address sender = readAddress(r, "sender");
        long nonce = r.u63("nonce");
        long fee = r.u63("fee");
        long expiry = r.u63("expiry_height");
        Payload payload = readPayload(r);
        return new TransactionBody(chainId, sender, nonce, fee, expiry, payload);
    }

    static void writeSignedTransaction(CanonicalWriter w, SignedTransaction tx) {
        w.fixed(tx.canonicalBytes());
    }

    SignedTransaction readSignedTransaction(CanonicalReader r) throws DecodeException {
        int start = r.position();
        TransactionBody body = readBody(r);
        Ed25519PublicKey key = readPublicKey(r, "signer_public_key");
        Ed25519Signature sig = readSignature(r, "signature");
        if (r.position() - start > limits.maxTransactionBytes()) {
            throw new DecodeException("transaction", DecodeException.Kind.LENGTH_OVER_LIMIT,
                    (r.position() - start) + " bytes over limit " + limits.maxTransactionBytes());
        }
        return new SignedTransaction(body, key, sig);
    }

    // ---------------------------------------------------------------- consensus types

    static void writeVoteData(CanonicalWriter w, VoteData d) {
        writeHash(w, d.blockId());
        w.u64(d.round()).u64(d.height());
        writeHash(w, d.stateRoot());
        writeHash(w, d.receiptRoot());
    }

    static VoteData readVoteData(CanonicalReader r) throws DecodeException {
        Hash32 blockId = readHash(r, "vote_data.block_id");
        long round = r.u63("vote_data.round");
        long height = r.u63("vote_data.height");
        Hash32 stateRoot = readHash(r, "vote_data.state_root");
        Hash32 receiptRoot = readHash(r, "vote_data.receipt_root");
        return new VoteData(blockId, round, height, stateRoot, receiptRoot);
    }

    static void writeQc(CanonicalWriter w, QuorumCertificate qc) {
        writeVoteData(w, qc.voteData());
        w.seq(qc.signatures(), (ww, s) -> {
            writeAddress(ww, s.validator());
            writeSignature(ww, s.signature());
        });
    }

    QuorumCertificate readQc(CanonicalReader r) throws DecodeException {
        VoteData data = readVoteData(r);
        var sigs = r.seq("qc.signatures", limits.maxValidators(), rr -> new ValidatorSignature(
                readAddress(rr, "qc.signatures.validator"), readSignature(rr, "qc.signatures.signature")));
        return build("qc.signatures", () -> new QuorumCertificate(data, sigs));
    }

    static void writeTc(CanonicalWriter w, TimeoutCertificate tc) {
        w.u64(tc.round());
        writeQc(w, tc.highQc());
        w.seq(tc.signatures(), (ww, s) -> {
            writeAddress(ww, s.validator());
            ww.u64(s.highQcRound());
            writeSignature(ww, s.signature());
        });
    }

    TimeoutCertificate readTc(CanonicalReader r) throws DecodeException {
        long round = r.u63("tc.round");
        QuorumCertificate highQc = readQc(r);
        var sigs = r.seq("tc.signatures", limits.maxValidators(), rr -> {
            Address validator = readAddress(rr, "tc.signatures.validator");
            long highQcRound = rr.u63("tc.signatures.high_qc_round");
            Ed25519Signature sig = readSignature(rr, "tc.signatures.signature");
            return new TimeoutSignature(validator, highQcRound, sig);
        });
        return build("tc.signatures", () -> new TimeoutCertificate(round, highQc, sigs));
    }

    static void writeHeader(CanonicalWriter w, BlockHeader h) {
        writeChainId(w, h.chainId());
        w.u64(h.height()).u64(h.round());
        writeHash(w, h.parentId());
        w.u64(h.timestampMs());
        writeAddress(w, h.proposer());
        writeHash(w, h.txRoot());
        writeQc(w, h.justify());
        w.option(h.timeoutCertificate(), DomainCodecs::writeTc);
    }

    BlockHeader readHeader(CanonicalReader r) throws DecodeException {
        ChainId chainId = readChainId(r);
        long height = r.u63("header.height");
        long round = r.u63("header.round");
        Hash32 parentId = readHash(r, "header.parent_id");
        long timestamp = r.u63("header.timestamp_ms");
        Address proposer = readAddress(r, "header.proposer");
        Hash32 txRoot = readHash(r, "header.tx_root");
        QuorumCertificate justify = readQc(r);
        TimeoutCertificate tc = r.option("header.timeout_certificate", this::readTc);
        return new BlockHeader(chainId, height, round, parentId, timestamp, proposer, txRoot, justify, tc);
    }

    static void writeBlock(CanonicalWriter w, Block b) {
        writeHeader(w, b.header());
        w.seq(b.transactions(), DomainCodecs::writeSignedTransaction);
    }

    Block readBlock(CanonicalReader r) throws DecodeException {
        BlockHeader header = readHeader(r);
        var txs = r.seq("block.transactions", limits.maxBlockTransactions(), this::readSignedTransaction);
        return new Block(header, txs);
    }

    static void writeVote(CanonicalWriter w, Vote v) {
        writeVoteData(w, v.data());
        writeAddress(w, v.validator());
        writeSignature(w, v.signature());
    }

    static Vote readVote(CanonicalReader r) throws DecodeException {
        VoteData data = readVoteData(r);
        Address validator = readAddress(r, "vote.validator");
        Ed25519Signature sig = readSignature(r, "vote.signature");
        return new Vote(data, validator, sig);
    }

    static void writeTimeout(CanonicalWriter w, Timeout t) {
        writeChainId(w, t.chainId());
        w.u64(t.round());
        writeQc(w, t.highQc());
        writeAddress(w, t.validator());
        writeSignature(w, t.signature());
    }

    Timeout readTimeout(CanonicalReader r) throws DecodeException {
        ChainId chainId = readChainId(r);
        long round = r.u63("timeout.round");
        QuorumCertificate highQc = readQc(r);
        Address validator = readAddress(r, "timeout.validator");
        Ed25519Signature sig = readSignature(r, "timeout.signature");
        return new Timeout(chainId, round, highQc, validator, sig);
    }
}
