package org.meshchain.persistence.chain;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.DomainCodecs;
import org.meshchain.core.types.QuorumCertificate;
import org.meshchain.persistence.state.StateStore;

/**
 * DESIGN 7.1's promise under real crashes: a child JVM commits blocks in a loop and is killed with
 * SIGKILL at random moments; after each kill the store reopens with a whole, verifying head, every
 * block below it verifies and links to its parent, and the state tree's root at the head is the
 * root certified for the head block.
 */
class CrashSafetyTest {

    @TempDir
    Path dir;

    /** The children's java.io.tmpdir (see {@link CrashingCommitter#command}). */
    @TempDir
    Path childTmp;

    @Test
    void survivesFiftyKillsAtRandomMoments() throws Exception {
        runKills(50, 20240601L);
    }

    @Test
    @Tag("long")
    void survivesManyKills() throws Exception {
        runKills(Integer.getInteger("crash.kills", 500), 7L);
    }

    private void runKills(int kills, long seed) throws Exception {
        Random random = new Random(seed);
        long previousHeight = -1;
        for (int kill = 0; kill < kills; kill++) {
            Process child = new ProcessBuilder(CrashingCommitter.command(javaBinary(), System.getProperty("java.class.path"),
                    dir, random.nextLong(), childTmp))
                    .redirectErrorStream(true)
                    .start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                String line = out.readLine();
                assertThat(line).as("child start-up (kill %d)", kill).startsWith("ready");
                Thread.sleep(20 + random.nextInt(300));
                child.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no RocksDB close
                assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
            long height = verifyStore(kill);
            // every life commits at least the block before "ready": the head must have moved on
            assertThat(height).as("the head never goes back (kill %d)", kill).isGreaterThan(previousHeight);
            previousHeight = height;
        }
        System.out.printf("crash test: %d kills, final height %d%n", kills, previousHeight);
    }

    /** Reopens the store and verifies the whole chain; returns the head height. */
    private long verifyStore(int kill) {
        try (ChainStore store = ChainStore.open(dir, ChainStoreConfig.DEFAULT, DomainCodecs.DEFAULT)) {
            ChainStore.Head head = store.head().orElse(null);
            if (head == null) {
                return -1;
            }
            try (ChainView view = store.view()) {
                Hash32 expectedParent = Hash32.ZERO;
                for (long h = 0; h <= head.height(); h++) {
                    Block block = view.blockAt(h).orElseThrow();
                    assertThat(block.header().parentId()).as("parent link at %d (kill %d)", h, kill).isEqualTo(expectedParent);
                    QuorumCertificate qc = view.certificateAt(h).orElseThrow();
                    assertThat(qc.voteData().blockId()).isEqualTo(block.id());
                    expectedParent = block.id();
                }
                assertThat(expectedParent).isEqualTo(head.blockId());
                assertThat(view.blockAt(head.height() + 1)).as("no partial block above the head").isEmpty();
                // the state tree reopens at version head + 1 and its root is the one the quorum certified
                StateStore state = new StateStore(store, 1_000, 1024);
                assertThat(state.latestVersion()).isEqualTo(head.height() + 1);
                assertThat(state.tree().rootHash(head.height() + 1))
                        .as("state root at the head (kill %d)", kill)
                        .isEqualTo(view.certificateAt(head.height()).orElseThrow().voteData().stateRoot());
                Block top = view.blockAt(head.height()).orElseThrow();
                assertThat(view.transaction(top.transactions().getLast().id())).isPresent();
            }
            return head.height();
        }
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

}
