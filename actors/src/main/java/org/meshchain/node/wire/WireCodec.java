package org.meshchain.node.wire;

import java.util.List;
import org.meshchain.core.codec.CanonicalReader;
import org.meshchain.core.codec.CanonicalWriter;
import org.meshchain.core.codec.DecodeException;
import org.meshchain.core.consensus.ConsensusMessage;
import org.meshchain.core.consensus.SafetyState;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.DomainCodecs;
import org.meshchain.core.types.QuorumCertificate;
import org.meshchain.core.types.SignedTransaction;
import org.meshchain.node.sync.BulkSyncMessage;

/**
 * Canonical bytes of what validators send each other and of the persisted safety state, built only
 * from the domain codecs (never Java serialization). Decoding is strict: limits on every count and
 * length, no trailing bytes; a bad input gets a {@link DecodeException} naming the field.
 */
public final class WireCodec {

    /** What an envelope's payload is; the byte is part of the signed envelope. */
    public enum Kind {
        PROPOSAL, VOTE, TIMEOUT, SYNC_REQUEST, SYNC_RESPONSE, TRANSACTIONS, BLOCK_REQUEST,
        /** Bulk sync (ADR 0040), appended so the older kinds keep their codes. */
        BULK_SYNC_REQUEST, BULK_SYNC_RESPONSE;

        public boolean isBulkSync() {
            return this == BULK_SYNC_REQUEST || this == BULK_SYNC_RESPONSE;
        }

        public static Kind of(int code) throws DecodeException {
            Kind[] all = values();
            if (code < 0 || code >= all.length) {
                throw new DecodeException("kind", DecodeException.Kind.BAD_TAG, "message kind " + code);
            }
            return all[code];
        }
    }

    private final DomainCodecs codecs;
    private final int maxSyncBlocks;
    private final int maxBatchTransactions;

    /** The most blocks a bulk sync response may carry (the configuration's upper bound by default). */
    private final int maxBulkBlocks;

    public WireCodec(DomainCodecs codecs, int maxSyncBlocks, int maxBatchTransactions) {
        this(codecs, maxSyncBlocks, maxBatchTransactions, 1_000);
    }

    public WireCodec(DomainCodecs codecs, int maxSyncBlocks, int maxBatchTransactions, int maxBulkBlocks) {
        this.codecs = codecs;
        this.maxSyncBlocks = maxSyncBlocks;
        this.maxBatchTransactions = maxBatchTransactions;
        this.maxBulkBlocks = maxBulkBlocks;
    }

    public static Kind kindOf(BulkSyncMessage message) {
        return switch (message) {
            case BulkSyncMessage.Request r -> Kind.BULK_SYNC_REQUEST;
            case BulkSyncMessage.Response r -> Kind.BULK_SYNC_RESPONSE;
        };
    }

    public byte[] encode(BulkSyncMessage message) {
        CanonicalWriter w = new CanonicalWriter(256);
        switch (message) {
            case BulkSyncMessage.Request r -> w.u64(r.fromHeight()).u32(r.maxBlocks());
            case BulkSyncMessage.Response r -> {
                w.u64(r.fromHeight());
                w.seq(r.blocks(), (ww, b) -> {
                    codecs.block().write(ww, b.block());
                    codecs.quorumCertificate().write(ww, b.certificate());
                });
                w.u64(r.responderHeight());
            }
        }
        return w.toByteArray();
    }

    public BulkSyncMessage decodeBulkSync(Kind kind, byte[] bytes) throws DecodeException {
        CanonicalReader r = new CanonicalReader(bytes);
        BulkSyncMessage message = switch (kind) {
            case BULK_SYNC_REQUEST -> {
                long from = r.u63("fromHeight");
                long max = r.u32("maxBlocks");
                if (from < 1 || max < 1 || max > maxBulkBlocks) {
                    throw new DecodeException("bulkSyncRequest", DecodeException.Kind.LENGTH_OVER_LIMIT,
                            "fromHeight " + from + " / maxBlocks " + max + " outside 1.." + maxBulkBlocks);
                }
                yield new BulkSyncMessage.Request(from, (int) max);
            }
            case BULK_SYNC_RESPONSE -> {
                long from = r.u63("fromHeight");
                List<BulkSyncMessage.CertifiedBlock> blocks = r.seq("blocks", maxBulkBlocks,
                        rr -> new BulkSyncMessage.CertifiedBlock(codecs.block().read(rr), codecs.quorumCertificate().read(rr)));
                yield new BulkSyncMessage.Response(from, blocks, r.u63("responderHeight"));
            }
            default -> throw new DecodeException("kind", DecodeException.Kind.BAD_TAG, kind + " is not a bulk sync message");
        };
        r.finish(kind.name().toLowerCase());
        return message;
    }

    public static Kind kindOf(ConsensusMessage message) {
        return switch (message) {
            case ConsensusMessage.Proposal p -> Kind.PROPOSAL;
            case ConsensusMessage.VoteMessage v -> Kind.VOTE;
            case ConsensusMessage.TimeoutMessage t -> Kind.TIMEOUT;
            case ConsensusMessage.SyncRequest r -> Kind.SYNC_REQUEST;
            case ConsensusMessage.SyncResponse r -> Kind.SYNC_RESPONSE;
            case ConsensusMessage.BlockRequest r -> Kind.BLOCK_REQUEST;
        };
    }

    public byte[] encode(ConsensusMessage message) {
        CanonicalWriter w = new CanonicalWriter(256);
        switch (message) {
            case ConsensusMessage.Proposal p -> codecs.block().write(w, p.block());
            case ConsensusMessage.VoteMessage v -> codecs.vote().write(w, v.vote());
            case ConsensusMessage.TimeoutMessage t -> {
                codecs.timeout().write(w, t.timeout());
                w.option(t.lastRoundTc(), (ww, tc) -> codecs.timeoutCertificate().write(ww, tc));
            }
            case ConsensusMessage.SyncRequest r -> w.u64(r.fromHeight()).u32(r.maxBlocks());
            case ConsensusMessage.BlockRequest r -> {
                codecs.quorumCertificate().write(w, r.certificate());
                w.u64(r.fromHeight());
            }
            case ConsensusMessage.SyncResponse r -> {
                w.seq(r.blocks(), (ww, b) -> codecs.block().write(ww, b));
                codecs.quorumCertificate().write(w, r.certifyingQc());
                w.u64(r.responderCommittedHeight());
            }
        }
        return w.toByteArray();
    }

    public ConsensusMessage decodeConsensus(Kind kind, byte[] bytes) throws DecodeException {
        CanonicalReader r = new CanonicalReader(bytes);
        ConsensusMessage message = switch (kind) {
            case PROPOSAL -> new ConsensusMessage.Proposal(codecs.block().read(r));
            case VOTE -> new ConsensusMessage.VoteMessage(codecs.vote().read(r));
            case TIMEOUT -> new ConsensusMessage.TimeoutMessage(codecs.timeout().read(r),
                    r.option("lastRoundTc", rr -> codecs.timeoutCertificate().read(rr)));
            case SYNC_REQUEST -> {
                long from = r.u63("fromHeight");
                long max = r.u32("maxBlocks");
                if (from < 1 || max < 1 || max > maxSyncBlocks) {
                    throw new DecodeException("syncRequest", DecodeException.Kind.LENGTH_OVER_LIMIT,
                            "fromHeight " + from + " / maxBlocks " + max + " outside 1.." + maxSyncBlocks);
                }
                yield new ConsensusMessage.SyncRequest(from, (int) max);
            }
            case SYNC_RESPONSE -> {
                List<Block> blocks = r.seq("blocks", maxSyncBlocks, rr -> codecs.block().read(rr));
                QuorumCertificate qc = codecs.quorumCertificate().read(r);
                yield new ConsensusMessage.SyncResponse(blocks, qc, r.u63("responderCommittedHeight"));
            }
            case BLOCK_REQUEST -> new ConsensusMessage.BlockRequest(codecs.quorumCertificate().read(r), r.u63("fromHeight"));
            case TRANSACTIONS -> throw new DecodeException("kind", DecodeException.Kind.BAD_TAG,
                    "a transaction batch is not a consensus message");
            case BULK_SYNC_REQUEST, BULK_SYNC_RESPONSE -> throw new DecodeException("kind", DecodeException.Kind.BAD_TAG,
                    "a bulk sync message is not a consensus message");
        };
        r.finish(kind.name().toLowerCase());
        return message;
    }

    public byte[] encodeTransactions(List<SignedTransaction> batch) {
        CanonicalWriter w = new CanonicalWriter(256 * Math.max(1, batch.size()));
        w.seq(batch, (ww, tx) -> codecs.signedTransaction().write(ww, tx));
        return w.toByteArray();
    }

    public List<SignedTransaction> decodeTransactions(byte[] bytes) throws DecodeException {
        CanonicalReader r = new CanonicalReader(bytes);
        List<SignedTransaction> batch = r.seq("transactions", maxBatchTransactions, rr -> codecs.signedTransaction().read(rr));
        r.finish("transactions");
        return batch;
    }

    // ------------------------------------------------------------------ safety state (journal)

    public static byte[] encodeSafetyState(SafetyState s) {
        CanonicalWriter w = new CanonicalWriter(512);
        w.u64(s.lastVotedRound()).u64(s.preferredRound()).u64(s.highestTimeoutRound());
        w.option(s.lastVote(), (ww, v) -> DomainCodecs.DEFAULT.vote().write(ww, v));
        w.option(s.lastTimeout(), (ww, t) -> DomainCodecs.DEFAULT.timeout().write(ww, t));
        return w.toByteArray();
    }

    public static SafetyState decodeSafetyState(byte[] bytes) throws DecodeException {
        CanonicalReader r = new CanonicalReader(bytes);
        long lastVoted = r.u63("lastVotedRound");
        long preferred = r.u63("preferredRound");
        long highestTimeout = r.u63("highestTimeoutRound");
        var vote = r.option("lastVote", rr -> DomainCodecs.DEFAULT.vote().read(rr));
        var timeout = r.option("lastTimeout", rr -> DomainCodecs.DEFAULT.timeout().read(rr));
        r.finish("safetyState");
        return new SafetyState(lastVoted, preferred, highestTimeout, vote, timeout);
    }
}
