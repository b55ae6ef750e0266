package org.meshchain.core.crypto;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Verifies a batch of Ed25519 signatures in parallel on a bounded pool and returns one verdict per item,
 * in input order. Each verdict is exactly {@link Ed25519#verify} of that item: the batch is split into
 * contiguous chunks verified one signature at a time, so the single and batch rules cannot diverge.
 *
 * <p>This class owns threads, which core/ otherwise avoids (core is a pure functional core). It is here
 * because signature checking is the CPU-bound step every layer needs (mempool admission, block and
 * certificate validation) and the pool is private, fixed-size and bounded: {@code threads} workers, a
 * queue of at most {@code queueCapacity} chunks, and when the queue is full the calling thread verifies
 * the chunk itself (back-pressure instead of unbounded memory). Nothing in the consensus or ledger logic
 * creates one; the node shell does and passes it in. Close it to stop the workers. Do not call
 * {@link #verifyAll} from a task running on the verifier's own workers: they would wait for themselves.
 */
public final class BatchVerifier implements AutoCloseable {

    /**
     * One signature to check: {@code signature} over {@code message} by {@code key}. The message array is
     * not copied (batches can be large); do not change it while a batch that holds it is being verified.
     */
    public record Item(Ed25519PublicKey key, byte[] message, Ed25519Signature signature) {
        public Item {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(signature, "signature");
        }

        public Item(Ed25519PublicKey key, Hash32 digest, Ed25519Signature signature) {
            this(key, digest.toByteArray(), signature);
        }

        boolean verify() {
            return Ed25519.verify(key, message, signature);
        }
    }

    /** Below this many items a batch is verified on the calling thread: the hand-off would cost more. */
    static final int MIN_PARALLEL_BATCH = 8;
    /** Chunks per worker: a few, so a slow chunk (or a worker stolen by another process) does not stall the batch. */
    private static final int CHUNKS_PER_THREAD = 4;

    private final ThreadPoolExecutor pool;
    private final int threads;

    /**
     * @param threads       worker threads, at least 1
     * @param queueCapacity chunks that may wait for a worker, at least 1; beyond that the caller runs them
     */
    public BatchVerifier(int threads, int queueCapacity) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("queueCapacity must be at least 1, got " + queueCapacity);
        }
        this.threads = threads;
        this.pool = new ThreadPoolExecutor(threads, threads, 0L, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(queueCapacity), new DaemonThreads(), BatchVerifier::runInCallerUnlessClosed);
    }

    /** One worker per available processor, a queue of four chunks per worker. */
    public static BatchVerifier withAvailableProcessors() {
        int processors = Runtime.getRuntime().availableProcessors();
        return new BatchVerifier(processors, processors * CHUNKS_PER_THREAD);
    }

    public int threads() {
        return threads;
    }

    /**
     * The verdict of {@link Ed25519#verify} for every item, in the order given.
     *
     * @throws IllegalStateException if the verifier is closed
     * @throws CancellationException if the calling thread is interrupted while waiting (the interrupt flag is restored)
     */
    public boolean[] verifyAll(List<Item> items) {
        if (pool.isShutdown()) {
            throw new IllegalStateException("BatchVerifier is closed");
        }
        int size = items.size();
        boolean[] verdicts = new boolean[size];
        if (size < MIN_PARALLEL_BATCH || threads == 1) {
            verifyRange(items, verdicts, 0, size);
            return verdicts;
        }
        int chunks = Math.min(size, threads * CHUNKS_PER_THREAD);
        int chunkSize = (size + chunks - 1) / chunks;
        List<Future<?>> pending = new ArrayList<>(chunks);
        try {
            // The first chunk stays on the caller, which would otherwise only wait.
            for (int start = chunkSize; start < size; start += chunkSize) {
                int from = start;
                int to = Math.min(size, start + chunkSize);
                pending.add(pool.submit(() -> verifyRange(items, verdicts, from, to)));
            }
        } catch (RejectedExecutionException closedMeanwhile) {
            pending.forEach(future -> future.cancel(false));
            throw new IllegalStateException("BatchVerifier is closed", closedMeanwhile);
        }
        verifyRange(items, verdicts, 0, Math.min(size, chunkSize));
        for (Future<?> future : pending) {
            try {
                // Future.get orders the worker's writes to verdicts before our read of them.
                future.get();
            } catch (InterruptedException e) {
                pending.forEach(f -> f.cancel(false));
                Thread.currentThread().interrupt();
                throw new CancellationException("interrupted while verifying signatures");
            } catch (ExecutionException e) {
                throw new IllegalStateException("signature verification failed unexpectedly", e.getCause());
            }
        }
        return verdicts;
    }

    /** Chunks the pool's workers have finished (the caller's own chunks are not counted); for tests. */
    long chunksRunByWorkers() {
        return pool.getCompletedTaskCount();
    }

    /** True when every item verifies (an empty batch is trivially valid). */
    public boolean allValid(List<Item> items) {
        for (boolean verdict : verifyAll(items)) {
            if (!verdict) {
                return false;
            }
        }
        return true;
    }

    private static void verifyRange(List<Item> items, boolean[] verdicts, int from, int to) {
        for (int i = from; i < to; i++) {
            verdicts[i] = items.get(i).verify();
        }
    }

    /** Back-pressure: a full queue makes the submitter verify the chunk; after close, refuse. */
    private static void runInCallerUnlessClosed(Runnable task, ThreadPoolExecutor executor) {
        if (executor.isShutdown()) {
            throw new RejectedExecutionException("BatchVerifier is closed");
        }
        task.run();
    }

    @Override
    public void close() {
        pool.shutdown();
        try {
            if (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private static final class DaemonThreads implements ThreadFactory {
        private static final AtomicInteger POOLS = new AtomicInteger();
        private final int pool = POOLS.incrementAndGet();
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable task) {
            Thread thread = new Thread(task, "meshchain-sigverify-" + pool + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }
    }
}
