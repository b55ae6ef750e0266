package org.meshchain.core.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.meshchain.core.consensus.ConsensusAction.TimerKind;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.QuorumCertificate;
import org.meshchain.core.types.Timeout;
import org.meshchain.core.types.Vote;
import org.meshchain.core.types.VoteData;

class ConsensusCoreTest {

    private static final Address[] V = TestNet.SET.addresses().toArray(new Address[0]);

    private static <T> List<T> only(List<ConsensusAction> actions, Class<T> type) {
        return actions.stream().filter(type::isInstance).map(type::cast).toList();
    }

    @Test
    void roundTimerBacksOffAndIsCapped() {
        ConsensusConfig c = TestNet.CONFIG;
        assertThat(c.roundTimeoutMs(0)).isEqualTo(1_000);
        assertThat(c.roundTimeoutMs(1)).isEqualTo(1_200);
        assertThat(c.roundTimeoutMs(6)).isEqualTo(2_986);
        assertThat(c.roundTimeoutMs(1_000)).isEqualTo(2_986);
    }

    @Test
    void leaderProposesAfterTheBlockIntervalAndPersistsBeforeVoting() {
        Address leader = TestNet.core(V[0]).leaderOf(1);
        ConsensusCore core = TestNet.core(leader);
        List<ConsensusAction> start = core.step(new ConsensusEvent.Start(0));
        assertThat(only(start, ConsensusAction.SetTimer.class)).extracting(ConsensusAction.SetTimer::kind)
                .contains(TimerKind.ROUND, TimerKind.PROPOSE);
        List<ConsensusAction> proposeActions = core.step(new ConsensusEvent.TimerFired(TimerKind.PROPOSE, 1, 200));
        Block block = ((ConsensusMessage.Proposal) only(proposeActions, ConsensusAction.Broadcast.class).get(0).message()).block();
        assertThat(block.header().round()).isEqualTo(1);
        assertThat(only(proposeActions, ConsensusAction.ExecuteBlock.class)).hasSize(1);
        List<ConsensusAction> afterExec = core.step(new ConsensusEvent.BlockExecuted(block.id(), Hash32.ZERO, Hash32.ZERO, 210));
        int persistAt = -1;
        int sendAt = -1;
        for (int i = 0; i < afterExec.size(); i++) {
            if (afterExec.get(i) instanceof ConsensusAction.PersistSafetyState && persistAt < 0) {
                persistAt = i;
            }
            if (afterExec.get(i) instanceof ConsensusAction.Send s && s.message() instanceof ConsensusMessage.VoteMessage) {
                sendAt = i;
            }
        }
        Address next = core.leaderOf(2);
        if (!next.equals(leader)) {
            assertThat(persistAt).isGreaterThanOrEqualTo(0);
            assertThat(sendAt).isGreaterThan(persistAt);
        }
        assertThat(core.safetyState().lastVotedRound()).isEqualTo(1);
    }

    @Test
    void invalidInputIsReportedAndChangesNoState() {
        ConsensusCore core = TestNet.core(V[0]);
        core.step(new ConsensusEvent.Start(0));
        long round = core.currentRound();
        int buffered = core.bufferedMessages();
        // a vote whose signature is for different data
        VoteData d = new VoteData(Hash32.ZERO, 1, 1, Hash32.ZERO, Hash32.ZERO);
        Vote other = Vote.sign(new VoteData(Hash32.ZERO, 1, 1, Hash32.ZERO, TestNet.GENESIS), TestNet.keyOf(V[1]));
        List<ConsensusAction> a1 = core.step(new ConsensusEvent.VoteReceived(V[1],
                new ConsensusMessage.VoteMessage(new Vote(d, V[1], other.signature())), 1));
        // a proposal whose justify is a forged genesis-like QC without signatures
        QuorumCertificate forged = new QuorumCertificate(new VoteData(Hash32.ZERO, 5, 5, Hash32.ZERO, Hash32.ZERO), List.of());
        Block bad = TestNet.block(6, 6, forged, null, V[2], 1);
        List<ConsensusAction> a2 = core.step(new ConsensusEvent.ProposalReceived(V[2], new ConsensusMessage.Proposal(bad), 2));
        // a QC with too few signatures
        Block b1 = TestNet.block(1, 1, TestNet.CONFIG.genesisQc(), null, V[2], 1);
        QuorumCertificate thin = TestNet.qc(TestNet.dataFor(b1), 2);
        Block b2 = TestNet.block(2, 2, thin, null, V[3], 2);
        List<ConsensusAction> a3 = core.step(new ConsensusEvent.ProposalReceived(V[3], new ConsensusMessage.Proposal(b2), 3));
        // a timeout relayed by someone else than its signer
        Timeout t = Timeout.sign(TestNet.CHAIN, 1, TestNet.CONFIG.genesisQc(), TestNet.keyOf(V[1]));
        List<ConsensusAction> a4 = core.step(new ConsensusEvent.TimeoutReceived(V[2], new ConsensusMessage.TimeoutMessage(t, null), 4));
        // a sync response whose certificate is forged
        QuorumCertificate fake = new QuorumCertificate(TestNet.dataFor(b1), TestNet.qc(TestNet.dataFor(b2), 3).signatures());
        List<ConsensusAction> a5 = core.step(new ConsensusEvent.SyncResponseReceived(V[1],
                new ConsensusMessage.SyncResponse(List.of(b1), fake, 10), 5));

        if (!core.leaderOf(2).equals(V[0])) {
            assertThat(a1).isEmpty(); // not this node's round to collect: ignored, not verified
        } else {
            assertThat(only(a1, ConsensusAction.ReportMisbehaviour.class)).extracting(ConsensusAction.ReportMisbehaviour::kind)
                    .containsExactly(Misbehaviour.INVALID_SIGNATURE);
        }
        assertThat(only(a2, ConsensusAction.ReportMisbehaviour.class)).extracting(ConsensusAction.ReportMisbehaviour::kind)
                .containsExactly(Misbehaviour.INVALID_QUORUM_CERTIFICATE);
        assertThat(only(a3, ConsensusAction.ReportMisbehaviour.class)).extracting(ConsensusAction.ReportMisbehaviour::kind)
                .containsExactly(Misbehaviour.INVALID_QUORUM_CERTIFICATE);
        assertThat(only(a4, ConsensusAction.ReportMisbehaviour.class)).extracting(ConsensusAction.ReportMisbehaviour::kind)
                .containsExactly(Misbehaviour.SENDER_MISMATCH);
        assertThat(only(a5, ConsensusAction.ReportMisbehaviour.class)).extracting(ConsensusAction.ReportMisbehaviour::kind)
                .containsExactly(Misbehaviour.INVALID_QUORUM_CERTIFICATE);
        for (List<ConsensusAction> as : List.of(a2, a3, a4, a5)) {
            assertThat(as).allMatch(x -> x instanceof ConsensusAction.ReportMisbehaviour);
        }
        assertThat(core.currentRound()).isEqualTo(round);
        assertThat(core.bufferedMessages()).isEqualTo(buffered);
        assertThat(core.uncommittedBlocks()).isZero();
    }

    @Test
    void validCertifiedChainIsCommittedByTheTwoChainRuleAndTimersAreRearmed() {
        ConsensusCore core = TestNet.core(V[0]);
        core.step(new ConsensusEvent.Start(0));
        Block b1 = TestNet.block(1, 1, TestNet.CONFIG.genesisQc(), null, core.leaderOf(1), 1);
        QuorumCertificate qc1 = TestNet.qc(TestNet.dataFor(b1), 3);
        Block b2 = TestNet.block(2, 2, qc1, null, core.leaderOf(2), 2);
        QuorumCertificate qc2 = TestNet.qc(TestNet.dataFor(b2), 3);
        List<ConsensusAction> actions = core.step(new ConsensusEvent.SyncResponseReceived(V[1],
                new ConsensusMessage.SyncResponse(List.of(b1, b2), qc2, 2), 5));
        assertThat(only(actions, ConsensusAction.ReportMisbehaviour.class)).isEmpty();
        assertThat(only(actions, ConsensusAction.ExecuteBlock.class)).extracting(e -> e.block().id()).containsExactly(b1.id());
        assertThat(only(actions, ConsensusAction.SetTimer.class)).isNotEmpty();
        assertThat(core.currentRound()).isEqualTo(3);
        List<ConsensusAction> exec = core.step(new ConsensusEvent.BlockExecuted(b1.id(), TestNet.dataFor(b1).stateRoot(), Hash32.ZERO, 6));
        assertThat(only(exec, ConsensusAction.CommitBlock.class)).extracting(ConsensusAction.CommitBlock::block).containsExactly(b1);
        assertThat(only(exec, ConsensusAction.ExecuteBlock.class)).extracting(e -> e.block().id()).containsExactly(b2.id());
        assertThat(core.committedHeight()).isEqualTo(1);
    }

    @Test
    void fPlusOneTimeoutsForAHigherRoundMakeTheNodeJoinAndFarAheadInputIsNotBuffered() {
        ConsensusCore core = TestNet.core(V[0]);
        core.step(new ConsensusEvent.Start(0));
        QuorumCertificate g = TestNet.CONFIG.genesisQc();
        core.step(new ConsensusEvent.TimeoutReceived(V[1],
                new ConsensusMessage.TimeoutMessage(Timeout.sign(TestNet.CHAIN, 4, g, TestNet.keyOf(V[1])), null), 1));
        assertThat(core.currentRound()).isEqualTo(1);
        List<ConsensusAction> a = core.step(new ConsensusEvent.TimeoutReceived(V[2],
                new ConsensusMessage.TimeoutMessage(Timeout.sign(TestNet.CHAIN, 4, g, TestNet.keyOf(V[2])), null), 2));
        // it joined round 4 and timed out too: with its own, three timeouts form a TC and move it to round 5
        assertThat(core.currentRound()).isEqualTo(5);
        assertThat(only(a, ConsensusAction.Broadcast.class)).anyMatch(b -> b.message() instanceof ConsensusMessage.TimeoutMessage tm
                && tm.timeout().round() == 4 && tm.timeout().validator().equals(V[0]));
        int before = core.bufferedMessages();
        for (int r = 1_000; r < 1_050; r++) {
            core.step(new ConsensusEvent.TimeoutReceived(V[3],
                    new ConsensusMessage.TimeoutMessage(Timeout.sign(TestNet.CHAIN, r, g, TestNet.keyOf(V[3])), null), 3));
        }
        assertThat(core.bufferedMessages()).isEqualTo(before);
    }

    @Test
    void missingCertifiedBlockIsFetchedByIdFromASignerAndTheWaitingProposalGetsAVote() {
        ConsensusCore requester = TestNet.core(V[0]);
        ConsensusCore server = TestNet.core(V[1]);
        requester.step(new ConsensusEvent.Start(0));
        server.step(new ConsensusEvent.Start(0));
        Address leader1 = server.leaderOf(1);
        Block b1 = TestNet.block(1, 1, TestNet.CONFIG.genesisQc(), null, leader1, 1);
        server.step(new ConsensusEvent.ProposalReceived(leader1, new ConsensusMessage.Proposal(b1), 5));
        assertThat(server.uncommittedBlocks()).isEqualTo(1);
        QuorumCertificate qc1 = TestNet.qc(TestNet.dataFor(b1), 3);
        Address leader2 = requester.leaderOf(2);
        Block b2 = TestNet.block(2, 2, qc1, null, leader2, 1_200);

        // the requester lacks b1: it asks a signer of qc1 for it by id and keeps b2 waiting
        List<ConsensusAction> onProposal = requester.step(new ConsensusEvent.ProposalReceived(leader2, new ConsensusMessage.Proposal(b2), 1_250));
        List<ConsensusAction.RequestBlock> fetches = only(onProposal, ConsensusAction.RequestBlock.class);
        assertThat(fetches).hasSize(1);
        assertThat(fetches.get(0).peer()).isNotEqualTo(V[0]);
        assertThat(qc1.signatures()).anyMatch(sig -> sig.validator().equals(fetches.get(0).peer()));
        assertThat(fetches.get(0).request().certificate()).isEqualTo(qc1);
        assertThat(fetches.get(0).request().fromHeight()).isEqualTo(1);
        assertThat(requester.currentRound()).isEqualTo(2);
        assertThat(requester.safetyState().lastVotedRound()).isZero();

        // a holder answers with a sync response ending at the block, certified by the requester's QC
        List<ConsensusAction> served = server.step(new ConsensusEvent.BlockRequestReceived(V[0], fetches.get(0).request(), 1_260));
        List<ConsensusAction.Send> sends = only(served, ConsensusAction.Send.class);
        assertThat(sends).hasSize(1);
        ConsensusMessage.SyncResponse response = (ConsensusMessage.SyncResponse) sends.get(0).message();
        assertThat(response.blocks()).containsExactly(b1);
        assertThat(response.certifyingQc()).isEqualTo(qc1);

        // the requester verifies and inserts b1, takes up the waiting b2, executes both and votes in round 2
        List<ConsensusAction> applied = requester.step(new ConsensusEvent.SyncResponseReceived(V[1], response, 1_270));
        assertThat(only(applied, ConsensusAction.ReportMisbehaviour.class)).isEmpty();
        assertThat(only(applied, ConsensusAction.ExecuteBlock.class)).extracting(e -> e.block().id()).containsExactly(b1.id());
        assertThat(requester.uncommittedBlocks()).isEqualTo(2);
        List<ConsensusAction> exec1 = requester.step(new ConsensusEvent.BlockExecuted(b1.id(), TestNet.dataFor(b1).stateRoot(), Hash32.ZERO, 1_280));
        assertThat(only(exec1, ConsensusAction.ExecuteBlock.class)).extracting(e -> e.block().id()).containsExactly(b2.id());
        requester.step(new ConsensusEvent.BlockExecuted(b2.id(), TestNet.dataFor(b2).stateRoot(), Hash32.ZERO, 1_290));
        assertThat(requester.safetyState().lastVotedRound()).isEqualTo(2);
        assertThat(requester.safetyState().lastVote().data().blockId()).isEqualTo(b2.id());
    }

    @Test
    void blockRequestsForUnknownBlocksGetNoAnswerAndNonMembersAreReported() {
        ConsensusCore server = TestNet.core(V[1]);
        server.step(new ConsensusEvent.Start(0));
        Block unknown = TestNet.block(1, 1, TestNet.CONFIG.genesisQc(), null, V[2], 1);
        QuorumCertificate qc = TestNet.qc(TestNet.dataFor(unknown), 3);
        assertThat(server.step(new ConsensusEvent.BlockRequestReceived(V[0], new ConsensusMessage.BlockRequest(qc, 1), 2))).isEmpty();
        Address outsider = Address.of(org.meshchain.core.crypto.Ed25519PrivateKey.fromSeed(new byte[32]).publicKey());
        List<ConsensusAction> a = server.step(new ConsensusEvent.BlockRequestReceived(outsider, new ConsensusMessage.BlockRequest(qc, 1), 3));
        assertThat(only(a, ConsensusAction.ReportMisbehaviour.class)).extracting(ConsensusAction.ReportMisbehaviour::kind)
                .containsExactly(Misbehaviour.UNKNOWN_VALIDATOR);
    }

    private static org.meshchain.core.types.SignedTransaction transfer(long nonce) {
        org.meshchain.core.crypto.Ed25519PrivateKey sender = TestNet.KEYS.get(0);
        org.meshchain.core.types.TransactionBody body = new org.meshchain.core.types.TransactionBody(TestNet.CHAIN,
                Address.of(sender.publicKey()), nonce, 10, 1_000, new org.meshchain.core.types.Payload.Transfer(V[1], 5));
        return org.meshchain.core.types.SignedTransaction.sign(body, sender);
    }

    @Test
    void aJustCommittedTransactionHandedBackByTheFeedIsNotProposedAgain() {
        org.meshchain.core.types.SignedTransaction committedTx = transfer(0);
        org.meshchain.core.types.SignedTransaction freshTx = transfer(1);
        List<org.meshchain.core.types.SignedTransaction> txs = List.of(committedTx);
        Block b1 = new Block(new org.meshchain.core.types.BlockHeader(TestNet.CHAIN, 1, 1, TestNet.CONFIG.genesisQc().voteData().blockId(),
                1, V[1], org.meshchain.core.types.TxRoot.of(txs), TestNet.CONFIG.genesisQc(), null), txs);
        QuorumCertificate qc1 = TestNet.qc(TestNet.dataFor(b1), 3);
        Block b2 = TestNet.block(2, 2, qc1, null, V[2], 2);
        QuorumCertificate qc2 = TestNet.qc(TestNet.dataFor(b2), 3);
        int proposals = 0;
        for (Address validator : V) {
            ConsensusCore core = TestNet.core(validator);
            core.step(new ConsensusEvent.Start(0));
            core.step(new ConsensusEvent.TransactionsAvailable(List.of(committedTx), 1));
            core.step(new ConsensusEvent.SyncResponseReceived(validator.equals(V[1]) ? V[2] : V[1],
                    new ConsensusMessage.SyncResponse(List.of(b1, b2), qc2, 2), 5));
            List<ConsensusAction> exec = core.step(new ConsensusEvent.BlockExecuted(b1.id(), TestNet.dataFor(b1).stateRoot(), Hash32.ZERO, 6));
            assertThat(only(exec, ConsensusAction.CommitBlock.class)).extracting(ConsensusAction.CommitBlock::block).containsExactly(b1);
            core.step(new ConsensusEvent.BlockExecuted(b2.id(), TestNet.dataFor(b2).stateRoot(), Hash32.ZERO, 7));
            assertThat(core.pendingTransactions()).isZero();
            // the mempool feed crossed the commit: the committed transaction comes back with a fresh one
            core.step(new ConsensusEvent.TransactionsAvailable(List.of(committedTx, freshTx), 8));
            assertThat(core.pendingTransactions()).isEqualTo(1);
            if (!core.leaderOf(3).equals(validator)) {
                continue;
            }
            List<ConsensusAction> propose = core.step(new ConsensusEvent.TimerFired(TimerKind.PROPOSE, 3, 1_000));
            List<ConsensusAction.Broadcast> sent = only(propose, ConsensusAction.Broadcast.class);
            assertThat(sent).hasSize(1);
            Block b3 = ((ConsensusMessage.Proposal) sent.get(0).message()).block();
            assertThat(b3.header().height()).isEqualTo(3);
            assertThat(b3.transactions()).containsExactly(freshTx);
            proposals++;
        }
        assertThat(proposals).isEqualTo(1);
    }
}
