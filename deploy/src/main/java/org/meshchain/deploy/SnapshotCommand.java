package org.meshchain.deploy;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.meshchain.core.types.DomainCodecs;
import org.meshchain.persistence.DataLayout;
import org.meshchain.persistence.chain.ChainStore;
import org.meshchain.persistence.chain.ChainStoreConfig;
import org.meshchain.persistence.chain.StorageException;
import org.meshchain.persistence.snapshot.SnapshotExporter;
import org.meshchain.persistence.snapshot.SnapshotImporter;
import org.meshchain.persistence.snapshot.SnapshotManifest;
import org.meshchain.persistence.snapshot.SnapshotException;
import org.meshchain.persistence.snapshot.SnapshotReader;
import org.meshchain.persistence.state.StateStore;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code meshchain snapshot export|import|verify} (DESIGN 7.3). */
@Command(name = "snapshot", mixinStandardHelpOptions = true,
        description = "Export, verify and import state snapshots (LZ4 chunks with range proofs against the certified root).",
        subcommands = {SnapshotCommand.Export.class, SnapshotCommand.Import.class, SnapshotCommand.Verify.class})
public final class SnapshotCommand implements Runnable {

    private static final int NODE_CACHE_ENTRIES = 100_000;
    private static final int MAX_VALUE_BYTES = 64 * 1024;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static ChainStore openChain(Path dataDirectory, boolean mustExist) throws CliSubcommand.CommandFailure {
        Path chainDir = new DataLayout(dataDirectory).chain();
        if (mustExist && !Files.isDirectory(chainDir)) {
            throw new CliSubcommand.CommandFailure("no chain store at " + chainDir + " (is --data the node's data directory?)");
        }
        try {
            return ChainStore.open(chainDir, ChainStoreConfig.DEFAULT, DomainCodecs.DEFAULT);
        } catch (StorageException e) {
            throw new CliSubcommand.CommandFailure(e.getMessage() + " (a node running on this directory holds its lock)");
        }
    }

    static void printManifest(PrintWriter out, SnapshotManifest manifest) {
        out.printf("height       %d%n", manifest.height());
        out.printf("block        %s%n", manifest.block().id());
        out.printf("state root   %s%n", manifest.stateRoot());
        out.printf("chunks       %d%n", manifest.chunks().size());
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Write the state at a committed height to FILE (atomically: FILE is complete or absent).")
    static final class Export extends CliSubcommand {
        @Option(names = "--data", required = true, paramLabel = "DIR", description = "The node's data directory.")
        Path data;

        @Option(names = "--height", paramLabel = "H", description = "Committed height to export (default: the head).")
        Long height;

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "Snapshot file to write.")
        Path out;

        @Option(names = "--entries-per-chunk", defaultValue = "10000", paramLabel = "N",
                description = "Target state entries per chunk (default: ${DEFAULT-VALUE}).")
        int entriesPerChunk;

        @Override
        void execute(PrintWriter stdout) throws CommandFailure {
            if (entriesPerChunk < 1) {
                throw new CommandFailure("--entries-per-chunk must be at least 1, got " + entriesPerChunk);
            }
            try (ChainStore chain = openChain(data, true)) {
                long exportHeight = height != null ? height
                        : chain.head().orElseThrow(() -> new CommandFailure("the store at " + data + " has no blocks")).height();
                StateStore state = new StateStore(chain, NODE_CACHE_ENTRIES, MAX_VALUE_BYTES);
                long started = System.nanoTime();
                SnapshotManifest manifest = SnapshotExporter.export(chain, state, exportHeight, out, entriesPerChunk,
                        ProgressBar.onStderr(spec.commandLine().getErr(), "export"));
                printManifest(stdout, manifest);
                stdout.printf("file         %s (%s, %.1f s)%n", out, ProgressBar.size(Files.size(out)),
                        (System.nanoTime() - started) / 1e9);
            } catch (SnapshotException e) {
                throw new CommandFailure(e.getMessage());
            } catch (IOException e) {
                throw new CommandFailure("I/O error: " + e.getMessage());
            }
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = "Verify every chunk of FILE against the certified root, then write it into an empty data "
                    + "directory; an interrupted import resumes when run again.")
    static final class Import extends CliSubcommand {
        @Option(names = "--in", required = true, paramLabel = "FILE", description = "Snapshot file to import.")
        Path in;

        @Option(names = "--data", required = true, paramLabel = "DIR", description = "Data directory to import into.")
        Path data;

        @Override
        void execute(PrintWriter stdout) throws CommandFailure {
            try (SnapshotReader reader = SnapshotReader.open(in, DomainCodecs.DEFAULT);
                    ChainStore chain = openChain(data, false)) {
                printManifest(stdout, reader.manifest());
                SnapshotImporter.Result result = SnapshotImporter.importInto(reader, chain,
                        ProgressBar.onStderr(spec.commandLine().getErr(), "import"));
                if (result.alreadyImported()) {
                    stdout.println("already imported: the store's head is this snapshot's block");
                } else {
                    stdout.printf("imported     %d entries in %d chunks%s; state root %s%n", result.entries(),
                            result.chunksImported(), result.resumed() ? " (resumed)" : "", result.stateRoot());
                }
            } catch (SnapshotException e) {
                throw new CommandFailure(e.getMessage());
            } catch (IOException e) {
                throw new CommandFailure("I/O error: " + e.getMessage());
            }
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Check FILE completely (manifest, certificate binding, every chunk's hash and range proof) "
                    + "without importing it.")
    static final class Verify extends CliSubcommand {
        @Option(names = "--in", required = true, paramLabel = "FILE", description = "Snapshot file to check.")
        Path in;

        @Override
        void execute(PrintWriter stdout) throws CommandFailure {
            try (SnapshotReader reader = SnapshotReader.open(in, DomainCodecs.DEFAULT)) {
                printManifest(stdout, reader.manifest());
                long entries = reader.verifyAll(ProgressBar.onStderr(spec.commandLine().getErr(), "verify"));
                stdout.printf("verified     %d entries; every chunk proves against the certified root%n", entries);
            } catch (SnapshotException e) {
                throw new CommandFailure(e.getMessage());
            } catch (IOException e) {
                throw new CommandFailure("I/O error: " + e.getMessage());
            }
        }
    }
}
