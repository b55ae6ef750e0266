package org.meshchain.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.meshchain.deploy.CliRun.run;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.crypto.Hashing;
import org.meshchain.core.types.DomainCodecs;
import org.meshchain.merkle.SmtUpdate;
import org.meshchain.persistence.DataLayout;
import org.meshchain.persistence.chain.ChainFixtures;
import org.meshchain.persistence.chain.ChainStore;
import org.meshchain.persistence.chain.ChainStoreConfig;
import org.meshchain.persistence.state.StateStore;

class SnapshotCommandTest {

    @TempDir
    Path tmp;

    private Path sourceData;
    private Hash32 headRoot;

    @BeforeEach
    void buildNodeData() throws Exception {
        sourceData = tmp.resolve("node");
        try (ChainStore chain = ChainStore.open(new DataLayout(sourceData).chain(), ChainStoreConfig.DEFAULT, DomainCodecs.DEFAULT)) {
            StateStore state = new StateStore(chain, 1000, 1024);
            for (int b = 0; b < 4; b++) {
                TreeMap<Hash32, SmtUpdate> updates = new TreeMap<>();
                for (int i = 0; i < 500; i++) {
                    Hash32 path = Hashing.sha256(ByteBuffer.allocate(8).putInt(b).putInt(i).array());
                    updates.put(path, SmtUpdate.put(path, Bytes.of(("balance " + i).getBytes())));
                }
                ChainFixtures.commitWithState(chain, state, List.copyOf(updates.values()), 1);
            }
            headRoot = state.tree().rootHash(state.latestVersion());
        }
    }

    @Test
    void exportVerifyImportRoundTripThroughTheCli() throws Exception {
        Path file = tmp.resolve("head.snap");
        CliRun export = run("snapshot", "export", "--data", sourceData.toString(), "--out", file.toString(),
                "--entries-per-chunk", "200");
        assertThat(export.exitCode()).as(export.err()).isZero();
        assertThat(export.out()).contains("height       3").contains("state root   " + headRoot);
        assertThat(export.err()).contains("export [").contains("chunks").contains("ETA");

        CliRun verify = run("snapshot", "verify", "--in", file.toString());
        assertThat(verify.exitCode()).as(verify.err()).isZero();
        assertThat(verify.out()).contains("verified     2000 entries");

        Path target = tmp.resolve("restored");
        CliRun imported = run("snapshot", "import", "--in", file.toString(), "--data", target.toString());
        assertThat(imported.exitCode()).as(imported.err()).isZero();
        assertThat(imported.out()).contains("imported     2000 entries").contains(headRoot.toString());
        try (ChainStore chain = ChainStore.open(new DataLayout(target).chain(), ChainStoreConfig.DEFAULT, DomainCodecs.DEFAULT)) {
            assertThat(new StateStore(chain, 10, 1024).tree().rootHash(4)).isEqualTo(headRoot);
        }
        assertThat(run("snapshot", "import", "--in", file.toString(), "--data", target.toString()).out())
                .contains("already imported");
    }

    @Test
    void aTamperedFileFailsWithOneLineNamingTheChunk() throws Exception {
        Path file = tmp.resolve("head.snap");
        assertThat(run("snapshot", "export", "--data", sourceData.toString(), "--out", file.toString(),
                "--entries-per-chunk", "200").exitCode()).isZero();
        byte[] bytes = Files.readAllBytes(file);
        bytes[40] ^= 0x01; // inside the first chunk
        Files.write(file, bytes);
        CliRun verify = run("snapshot", "verify", "--in", file.toString());
        assertThat(verify.exitCode()).isEqualTo(1);
        assertThat(verify.err().lines().filter(l -> l.startsWith("meshchain snapshot verify:")).toList())
                .singleElement().asString().contains("chunk 0 of").contains("hash mismatch");
        assertThat(verify.err()).doesNotContain("Exception");
    }

    @Test
    void clearErrorsForMissingDataOrHeights() {
        CliRun missing = run("snapshot", "export", "--data", tmp.resolve("nowhere").toString(), "--out",
                tmp.resolve("x.snap").toString());
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains("no chain store at").contains("nowhere");

        CliRun tooHigh = run("snapshot", "export", "--data", sourceData.toString(), "--height", "99", "--out",
                tmp.resolve("y.snap").toString());
        assertThat(tooHigh.exitCode()).isEqualTo(1);
        assertThat(tooHigh.err()).contains("height 99 is not retained");
        assertThat(Files.exists(tmp.resolve("y.snap"))).isFalse();

        CliRun usage = run("snapshot", "verify");
        assertThat(usage.exitCode()).isEqualTo(2);
        assertThat(usage.err()).contains("Missing required option: '--in=FILE'");
    }

    @Test
    void theProgressLineShowsRateAndEta() {
        long[] now = {0};
        ProgressBar bar = new ProgressBar(new PrintWriter(new StringWriter()), "import", false, () -> now[0]);
        assertThat(bar.render(5, 20, 10L << 20, 2_000_000_000L))
                .isEqualTo("import [########......................]  25% 5/20 chunks 10.0 MiB 5.0 MiB/s ETA 0:00:06");
        assertThat(bar.render(0, 20, 0, 1)).endsWith("ETA --:--");
    }
}
