package org.meshchain.node;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.meshchain.core.mempool.MempoolRejection;
import org.meshchain.core.types.SignedTransaction;
import org.meshchain.node.port.SubmitOutcome;

/**
 * Bounds the submissions waiting for the mempool actor (ADR 0068): each takes a slot before it is sent
 * and gives it back when its answer, failure or timeout arrives; with no slot free the submission is
 * refused at once with {@link MempoolRejection.Busy} instead of queueing in the actor's mailbox.
 */
final class SubmissionLimiter {

    private final int limit;
    private final AtomicInteger inFlight = new AtomicInteger();

    SubmissionLimiter(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, got " + limit);
        }
        this.limit = limit;
    }

    CompletionStage<SubmitOutcome> submit(SignedTransaction transaction,
            Function<SignedTransaction, CompletionStage<SubmitOutcome>> send) {
        if (inFlight.incrementAndGet() > limit) {
            inFlight.decrementAndGet();
            return CompletableFuture.completedFuture(new SubmitOutcome.Rejected(transaction.id(), new MempoolRejection.Busy(limit)));
        }
        CompletionStage<SubmitOutcome> answer;
        try {
            answer = send.apply(transaction);
        } catch (RuntimeException e) {
            inFlight.decrementAndGet();
            return CompletableFuture.failedFuture(e);
        }
        return answer.whenComplete((outcome, error) -> inFlight.decrementAndGet());
    }

    int inFlight() {
        return inFlight.get();
    }

    int limit() {
        return limit;
    }
}
