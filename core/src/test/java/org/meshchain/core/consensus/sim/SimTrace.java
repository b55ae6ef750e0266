package org.meshchain.core.consensus.sim;

import java.util.List;
import java.util.Map;
import org.meshchain.core.consensus.ConsensusAction;
import org.meshchain.core.consensus.ConsensusEvent;
import org.meshchain.core.consensus.ConsensusMessage;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.BlockHeader;
import org.meshchain.core.types.QuorumCertificate;

/**
 * Debugging aid: with {@code -Dsim.traceFrom=<virtual ms>} every event a node steps after that time
 * is printed with the actions it produced, in a compact form (nodes as n0..n6, ids as 6 hex digits).
 * This is how the liveness failures of ADR 0015 were diagnosed; it is off by default.
 */
final class SimTrace {

    static final long FROM_MS = Long.getLong("sim.traceFrom", -1);

    private final Map<Address, Integer> indexOf;

    SimTrace(Map<Address, Integer> indexOf) {
        this.indexOf = indexOf;
    }

    void print(long now, int node, long round, long height, long highQcRound, ConsensusEvent event, List<ConsensusAction> actions) {
        StringBuilder sb = new StringBuilder();
        sb.append("TRACE t=").append(now).append(" n").append(node).append(" r=").append(round).append(" h=").append(height)
                .append(" hqc=").append(highQcRound).append(" EV ").append(describe(event));
        for (ConsensusAction a : actions) {
            sb.append(System.lineSeparator()).append("TRACE      -> ").append(describe(a));
        }
        System.out.println(sb);
    }

    private static String id(Hash32 h) {
        return h.toHex().substring(0, 6);
    }

    private String who(Address a) {
        return "n" + indexOf.get(a);
    }

    private static String qc(QuorumCertificate q) {
        return q == null ? "-" : "QC(r" + q.round() + " h" + q.voteData().height() + " " + id(q.voteData().blockId()) + ")";
    }

    private String block(Block b) {
        BlockHeader h = b.header();
        return "B(" + id(b.id()) + " h" + h.height() + " r" + h.round() + " p=" + id(h.parentId()) + " by " + who(h.proposer())
                + " j=" + qc(h.justify()) + (h.timeoutCertificate() == null ? "" : " tc" + h.timeoutCertificate().round()) + ")";
    }

    private String message(ConsensusMessage m) {
        return switch (m) {
            case ConsensusMessage.Proposal p -> "Proposal " + block(p.block());
            case ConsensusMessage.VoteMessage v ->
                    "Vote by " + who(v.vote().validator()) + " r" + v.vote().data().round() + " " + id(v.vote().data().blockId());
            case ConsensusMessage.TimeoutMessage t -> "Timeout by " + who(t.timeout().validator()) + " r" + t.timeout().round()
                    + " hqc=" + qc(t.timeout().highQc()) + (t.lastRoundTc() == null ? "" : " tc" + t.lastRoundTc().round());
            case ConsensusMessage.SyncRequest r -> "SyncReq from h" + r.fromHeight();
            case ConsensusMessage.BlockRequest r -> "BlockReq " + qc(r.certificate()) + " from h" + r.fromHeight();
            case ConsensusMessage.SyncResponse r -> "SyncResp " + r.blocks().size() + " blocks "
                    + (r.blocks().isEmpty() ? "" : block(r.blocks().get(0)) + ".." + block(r.blocks().get(r.blocks().size() - 1)))
                    + " top=" + qc(r.certifyingQc());
        };
    }

    private String describe(Object o) {
        return switch (o) {
            case ConsensusEvent.ProposalReceived e -> "from " + who(e.from()) + " " + message(e.proposal());
            case ConsensusEvent.VoteReceived e -> "from " + who(e.from()) + " " + message(e.vote());
            case ConsensusEvent.TimeoutReceived e -> "from " + who(e.from()) + " " + message(e.timeout());
            case ConsensusEvent.SyncRequestReceived e -> "from " + who(e.from()) + " " + message(e.request());
            case ConsensusEvent.BlockRequestReceived e -> "from " + who(e.from()) + " " + message(e.request());
            case ConsensusEvent.SyncResponseReceived e -> "from " + who(e.from()) + " " + message(e.response());
            case ConsensusEvent.BlockExecuted e -> "Executed " + id(e.blockId());
            case ConsensusEvent.TransactionsAvailable e -> "Txs " + e.transactions().size();
            case ConsensusAction.Send a -> "Send to " + who(a.to()) + " " + message(a.message());
            case ConsensusAction.Broadcast a -> "Bcast " + message(a.message());
            case ConsensusAction.ExecuteBlock a -> "Exec " + block(a.block());
            case ConsensusAction.CommitBlock a -> "Commit " + block(a.block());
            case ConsensusAction.RequestSync a -> "ReqSync " + who(a.peer()) + " " + message(a.request());
            case ConsensusAction.RequestBlock a -> "ReqBlock " + who(a.peer()) + " " + message(a.request());
            case ConsensusAction.PersistSafetyState a -> "Persist lvr=" + a.state().lastVotedRound();
            case ConsensusAction.ReportMisbehaviour a -> "Misbehaviour " + who(a.peer()) + " " + a.kind() + " " + a.detail();
            default -> String.valueOf(o);
        };
    }
}
