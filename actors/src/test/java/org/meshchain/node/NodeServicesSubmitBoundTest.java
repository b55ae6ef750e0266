package org.meshchain.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.mempool.MempoolRejection;
import org.meshchain.core.types.Address;
import org.meshchain.core.types.ChainId;
import org.meshchain.core.types.Payload;
import org.meshchain.core.types.SignedTransaction;
import org.meshchain.core.types.TransactionBody;
import org.meshchain.node.port.SubmitOutcome;

/** The bound on submissions waiting for the mempool actor (ADR 0068), with real asks to a probe as the mempool. */
class NodeServicesSubmitBoundTest {

    private static final ActorTestKit KIT = ActorTestKit.create();
    private static final Ed25519PrivateKey KEY = Ed25519PrivateKey.fromSeed(new byte[32]);

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    private static SignedTransaction tx(long nonce) {
        return SignedTransaction.sign(new TransactionBody(new ChainId("test"), Address.of(KEY.publicKey()), nonce, 1, 100,
                new Payload.Transfer(Address.of(KEY.publicKey()), 1)), KEY);
    }

    private static CompletionStage<SubmitOutcome> ask(TestProbe<MempoolActor.Command> mempool, SignedTransaction tx,
            Duration timeout) {
        return AskPattern.ask(mempool.getRef(), replyTo -> new MempoolActor.Submit(tx, replyTo), timeout, KIT.scheduler());
    }

    @Test
    void refusesBeyondTheBoundAsBusyAndFreesSlotsAsAnswersArrive() throws Exception {
        TestProbe<MempoolActor.Command> mempool = KIT.createTestProbe();
        SubmissionLimiter limiter = new SubmissionLimiter(3);
        List<CompletionStage<SubmitOutcome>> waiting = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            waiting.add(limiter.submit(tx(i), t -> ask(mempool, t, Duration.ofSeconds(10))));
        }
        assertThat(limiter.inFlight()).isEqualTo(3);

        SignedTransaction fourth = tx(3);
        SubmitOutcome refused = limiter.submit(fourth, t -> ask(mempool, t, Duration.ofSeconds(10)))
                .toCompletableFuture().get(1, TimeUnit.SECONDS);
        assertThat(refused).isEqualTo(new SubmitOutcome.Rejected(fourth.id(), new MempoolRejection.Busy(3)));
        assertThat(refused instanceof SubmitOutcome.Rejected r ? r.reason().code() : "").isEqualTo("busy");
        assertThat(limiter.inFlight()).isEqualTo(3);

        // the mempool answers the three asks that got a slot: the slots come back
        for (int i = 0; i < 3; i++) {
            MempoolActor.Submit submit = (MempoolActor.Submit) mempool.receiveMessage();
            submit.replyTo().tell(new SubmitOutcome.Accepted(submit.transaction().id()));
        }
        for (CompletionStage<SubmitOutcome> w : waiting) {
            assertThat(w.toCompletableFuture().get(5, TimeUnit.SECONDS)).isInstanceOf(SubmitOutcome.Accepted.class);
        }
        assertThat(limiter.inFlight()).isZero();

        // and a new submission is asked again rather than refused
        CompletionStage<SubmitOutcome> again = limiter.submit(fourth, t -> ask(mempool, t, Duration.ofSeconds(10)));
        MempoolActor.Submit submit = (MempoolActor.Submit) mempool.receiveMessage();
        assertThat(submit.transaction()).isEqualTo(fourth);
        submit.replyTo().tell(new SubmitOutcome.Accepted(fourth.id()));
        assertThat(again.toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo(new SubmitOutcome.Accepted(fourth.id()));
        assertThat(limiter.inFlight()).isZero();
    }

    @Test
    void aTimedOutAskGivesItsSlotBack() throws Exception {
        TestProbe<MempoolActor.Command> silentMempool = KIT.createTestProbe();
        SubmissionLimiter limiter = new SubmissionLimiter(1);
        CompletionStage<SubmitOutcome> unanswered = limiter.submit(tx(0), t -> ask(silentMempool, t, Duration.ofMillis(200)));
        assertThat(limiter.inFlight()).isEqualTo(1);
        assertThatThrownBy(() -> unanswered.toCompletableFuture().get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(java.util.concurrent.TimeoutException.class);
        assertThat(limiter.inFlight()).isZero();
        silentMempool.receiveMessage(); // the ask did reach the mempool; nobody answered
    }

    @Test
    void aFailedOrThrowingSendGivesItsSlotBack() throws Exception {
        SubmissionLimiter limiter = new SubmissionLimiter(1);
        CompletionStage<SubmitOutcome> failed = limiter.submit(tx(0),
                t -> CompletableFuture.failedFuture(new IllegalStateException("mempool stopped")));
        assertThat(failed.toCompletableFuture().isCompletedExceptionally()).isTrue();
        assertThat(limiter.inFlight()).isZero();

        CompletionStage<SubmitOutcome> thrown = limiter.submit(tx(1), t -> {
            throw new IllegalStateException("scheduler shut down");
        });
        assertThatThrownBy(() -> thrown.toCompletableFuture().get()).hasCauseInstanceOf(IllegalStateException.class);
        assertThat(limiter.inFlight()).isZero();

        // with the single slot free, the next one is sent
        SignedTransaction next = tx(2);
        assertThat(limiter.submit(next, t -> CompletableFuture.completedFuture(new SubmitOutcome.Accepted(t.id())))
                .toCompletableFuture().get()).isEqualTo(new SubmitOutcome.Accepted(next.id()));
        assertThat(limiter.inFlight()).isZero();
    }

    @Test
    void rejectsANonPositiveBound() {
        assertThatThrownBy(() -> new SubmissionLimiter(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
