package org.meshchain.persistence.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.types.Block;
import org.meshchain.core.types.DomainCodecs;

/** Real disk failures from a small tmpfs: out of space, and a read-only file system. */
class DiskEdgeCasesTest {

    @TempDir
    Path tmp;

    @Test
    void runningOutOfSpaceFailsTheCommitCleanlyAndLosesNoCommittedBlock() throws Exception {
        Path mountPoint = Files.createDirectories(tmp.resolve("small-disk"));
        try (TmpfsMount disk = TmpfsMount.tryMount(mountPoint, 8)) {
            assumeTrue(disk != null, "needs root to mount a tmpfs");
            Path dir = mountPoint.resolve("chain");
            long lastGoodHeight = -1;
            Throwable failure = null;
            try (ChainStore store = ChainStore.open(dir, ChainStoreConfig.DEFAULT, DomainCodecs.DEFAULT)) {
                // direct I/O only where the file system opens files with O_DIRECT (tmpfs does since Linux 6.6)
                assertThat(store.directIoForFlushAndCompaction()).isEqualTo(ChainStore.supportsDirectIo(dir));
                for (int i = 0; i < 5_000 && failure == null; i++) {
                    try {
                        lastGoodHeight = ChainFixtures.commitNext(store, 20, 400).header().height();
                    } catch (StorageException e) {
                        failure = e;
                    }
                }
            } catch (StorageException e) {
                // closing a store whose disk is full may fail too; what matters is what is on disk
                failure = failure == null ? e : failure;
            }
            assertThat(failure).as("8 MiB must fill up within 5,000 blocks of ~10 KiB").isNotNull();
            assertThat(failure).hasMessageContaining("No space left on device");

            // give the disk room again: every block that was acknowledged is there and verifies
            disk.remount("size=256m");
            try (ChainStore store = ChainStore.open(dir, ChainStoreConfig.DEFAULT, DomainCodecs.DEFAULT)) {
                ChainStore.Head head = store.head().orElseThrow();
                assertThat(head.height()).isGreaterThanOrEqualTo(lastGoodHeight);
                Hash32 parent = Hash32.ZERO;
                for (long h = 0; h <= head.height(); h++) {
                    Block block = store.blockAt(h).orElseThrow();
                    assertThat(block.header().parentId()).isEqualTo(parent);
                    parent = block.id();
                }
                assertThat(parent).isEqualTo(head.blockId());
                ChainFixtures.commitNext(store, 1, 0);
            }
        }
    }

    @Test
    void aReadOnlyFileSystemIsAClearStartUpError() throws Exception {
        Path mountPoint = Files.createDirectories(tmp.resolve("ro-disk"));
        try (TmpfsMount disk = TmpfsMount.tryMount(mountPoint, 16)) {
            assumeTrue(disk != null, "needs root to mount a tmpfs");
            Path dir = mountPoint.resolve("chain");
            try (ChainStore store = ChainStore.open(dir, ChainStoreConfig.DEFAULT, DomainCodecs.DEFAULT)) {
                ChainFixtures.commitNext(store, 1, 0);
            }
            disk.remount("ro");
            assertThatThrownBy(() -> ChainStore.open(dir, ChainStoreConfig.DEFAULT, DomainCodecs.DEFAULT))
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("cannot open chain store at " + dir)
                    .hasMessageContaining("Read-only file system");
        }
    }
}
