package org.meshchain.node.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.NotUsed;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.meshchain.core.types.SignedTransaction;
import org.meshchain.node.port.CommittedBlock;
import org.meshchain.node.port.NodeServices;

/**
 * Fans committed blocks out to {@code /v1/events} clients as server-sent events. One subscription to
 * the node renders each event once; each client has its own bounded queue. A client whose queue is
 * full when a block arrives is disconnected at once (its stream fails, freeing its buffer): the node
 * thread that delivers commits never blocks and memory never grows with a slow reader.
 */
final class CommitEvents implements AutoCloseable {

    /** Ends a slow client's stream. */
    static final class SlowClientException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SlowClientException(int buffer) {
            super("client fell " + buffer + " events behind and was disconnected", null, false, false);
        }
    }

    private static final ByteString CONNECTED = ByteString.fromString(": connected\n\n", StandardCharsets.UTF_8);
    private static final ByteString HEARTBEAT = ByteString.fromString(": keep-alive\n\n", StandardCharsets.UTF_8);

    private final Set<BoundedSourceQueue<ByteString>> clients = ConcurrentHashMap.newKeySet();
    private final ApiConfig config;
    private final ApiMetrics metrics;
    private final Materializer materializer;
    private final AutoCloseable subscription;
    private volatile boolean closed;

    CommitEvents(NodeServices services, ApiConfig config, ApiMetrics metrics, Materializer materializer) {
        this.config = config;
        this.metrics = metrics;
        this.materializer = materializer;
        this.subscription = services.subscribeCommits(this::publish);
    }

    int clientCount() {
        return clients.size();
    }

    /** A new client's event stream, or empty when the client limit is reached. */
    Optional<Source<ByteString, NotUsed>> open() {
        if (closed || clients.size() >= config.maxSseClients()) {
            return Optional.empty();
        }
        Pair<BoundedSourceQueue<ByteString>, Source<ByteString, NotUsed>> queued =
                Source.<ByteString>queue(config.sseBufferEvents()).preMaterialize(materializer);
        BoundedSourceQueue<ByteString> queue = queued.first();
        clients.add(queue);
        metrics.sseOpened.inc();
        Duration heartbeat = config.sseHeartbeat();
        Source<ByteString, NotUsed> stream = Source.single(CONNECTED)
                .concat(queued.second().keepAlive(heartbeat, () -> HEARTBEAT))
                .watchTermination((notUsed, done) -> {
                    done.whenComplete((ok, failure) -> {
                        if (clients.remove(queue)) {
                            queue.complete();
                        }
                        metrics.sseClosed.inc();
                    });
                    return NotUsed.getInstance();
                });
        return Optional.of(stream);
    }

    /** Called by the node after each commit, on a node thread: must not block. */
    void publish(CommittedBlock committed) {
        if (clients.isEmpty()) {
            return;
        }
        ByteString event = render(committed);
        for (BoundedSourceQueue<ByteString> queue : clients) {
            QueueOfferResult result = queue.offer(event);
            if (result == QueueOfferResult.dropped()) {
                if (clients.remove(queue)) {
                    metrics.sseDropped.inc();
                    queue.fail(new SlowClientException(config.sseBufferEvents()));
                }
            } else if (result != QueueOfferResult.enqueued()) {
                clients.remove(queue); // already failed or completed: the stream is ending
            }
        }
    }

    static ByteString render(CommittedBlock committed) {
        ObjectNode data = StrictJson.object();
        var header = committed.block().header();
        data.put("height", header.height());
        data.put("id", committed.block().id().toHex());
        data.put("round", header.round());
        data.put("timestampMs", header.timestampMs());
        data.put("proposer", header.proposer().toHex());
        data.put("stateRoot", committed.certificate().voteData().stateRoot().toHex());
        data.put("receiptRoot", committed.certificate().voteData().receiptRoot().toHex());
        data.put("transactionCount", committed.block().transactions().size());
        var txs = data.putArray("transactions");
        for (SignedTransaction tx : committed.block().transactions()) {
            txs.add(tx.id().toHex());
        }
        String text = "event: block\nid: " + header.height() + "\ndata: " + StrictJson.write(data) + "\n\n";
        return ByteString.fromString(text, StandardCharsets.UTF_8);
    }

    /** Unsubscribes from the node and ends every client's stream. */
    @Override
    public void close() {
        closed = true;
        try {
            subscription.close();
        } catch (Exception e) {
            // the node is going away with us; nothing more to release
        }
        for (BoundedSourceQueue<ByteString> queue : clients) {
            if (clients.remove(queue)) {
                queue.complete();
            }
        }
    }
}
