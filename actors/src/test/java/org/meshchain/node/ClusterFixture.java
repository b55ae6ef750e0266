package org.meshchain.node;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;
import org.meshchain.node.devnet.Devnet;
import org.meshchain.node.peers.InboundInspector;
import org.meshchain.node.port.NodeExtension;
import org.meshchain.persistence.testing.FreePorts;

/** An in-JVM cluster of validators on loopback with real RocksDB in a temp dir (tests only). */
final class ClusterFixture implements AutoCloseable {

    final Devnet devnet;

    private ClusterFixture(Devnet devnet) {
        this.devnet = devnet;
    }

    static ClusterFixture prepare(Path dir, int validators, int accounts, IntFunction<String> extraConfig) throws IOException {
        return new ClusterFixture(Devnet.prepare(new Devnet.Layout(dir, validators, accounts, "127.0.0.1", FreePorts.consecutive(validators)),
                extraConfig));
    }

    ClusterFixture startAll() {
        devnet.startAll(DefaultExecutors.factory(), i -> List.<NodeExtension>of(), InboundInspector.NONE);
        return this;
    }

    NodeOptions options() {
        return NodeOptions.of(DefaultExecutors.factory());
    }

    Node node(int i) {
        return devnet.node(i);
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted while waiting for " + what);
            }
        }
        fail("timed out after " + timeout + " waiting for " + what);
    }

    @Override
    public void close() {
        devnet.close();
    }
}
