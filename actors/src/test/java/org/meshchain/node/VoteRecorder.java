package org.meshchain.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.meshchain.core.codec.DecodeException;
import org.meshchain.core.consensus.ConsensusMessage;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.DomainCodecs;
import org.meshchain.core.types.ValidatorSignature;
import org.meshchain.core.types.VoteData;
import org.meshchain.node.peers.InboundInspector;
import org.meshchain.node.wire.WireCodec;

/**
 * Records every vote and timeout one validator sends, as the other validators receive them, so a
 * catch-up test can check across a restart that it never signed two different votes (or timeouts)
 * for one round.
 */
final class VoteRecorder {

    private final WireCodec codec = new WireCodec(DomainCodecs.DEFAULT, 100, 5000);
    private final Address watched;
    private final Map<Long, Set<VoteData>> votesByRound = new ConcurrentHashMap<>();
    private final Map<Long, Set<Long>> timeoutHighQcByRound = new ConcurrentHashMap<>();
    private final AtomicLong recorded = new AtomicLong();
    private final AtomicBoolean undecodable = new AtomicBoolean();

    VoteRecorder(Address watched) {
        this.watched = watched;
    }

    /** Records the message if it is a vote or timeout sent by the watched validator. */
    void record(Address from, WireCodec.Kind kind, byte[] payload) {
        if (!from.equals(watched) || (kind != WireCodec.Kind.VOTE && kind != WireCodec.Kind.TIMEOUT)) {
            return;
        }
        try {
            ConsensusMessage message = codec.decodeConsensus(kind, payload);
            if (message instanceof ConsensusMessage.VoteMessage v) {
                votesByRound.computeIfAbsent(v.vote().data().round(), r -> ConcurrentHashMap.newKeySet()).add(v.vote().data());
            } else if (message instanceof ConsensusMessage.TimeoutMessage t) {
                timeoutHighQcByRound.computeIfAbsent(t.timeout().round(), r -> ConcurrentHashMap.newKeySet())
                        .add(t.timeout().highQc().round());
            }
            recorded.incrementAndGet();
        } catch (DecodeException e) {
            undecodable.set(true);
        }
    }

    InboundInspector inspector() {
        return this::record;
    }

    /** How many votes and timeouts of the watched validator were recorded so far. */
    long recorded() {
        return recorded.get();
    }

    /** Waits until {@code observer} commits a block whose certificate carries the watched validator's signature. */
    void awaitSignedCertificate(Node observer, String what) throws Exception {
        AtomicBoolean signedAgain = new AtomicBoolean();
        AutoCloseable subscription = observer.services().subscribeCommits(c -> {
            for (ValidatorSignature s : c.certificate().signatures()) {
                if (s.validator().equals(watched)) {
                    signedAgain.set(true);
                }
            }
        });
        ClusterFixture.await(what, Duration.ofSeconds(60), signedAgain::get);
        subscription.close();
    }

    /** More was recorded than {@code recordedBefore}, all of it decodable, and at most one vote and one timeout per round. */
    void assertVotedAgainWithoutDoubleSigning(long recordedBefore) {
        assertThat(undecodable).isFalse();
        assertThat(recorded.get()).isGreaterThan(recordedBefore);
        votesByRound.forEach((round, votes) -> assertThat(votes).as("votes of " + watched + " in round " + round).hasSize(1));
        timeoutHighQcByRound.forEach((round, timeouts) ->
                assertThat(timeouts).as("timeouts of " + watched + " in round " + round).hasSize(1));
    }
}
