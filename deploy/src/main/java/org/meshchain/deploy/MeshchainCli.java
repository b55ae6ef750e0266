package org.meshchain.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code meshchain} binary: one entry point for every operator and developer command. */
@Command(
        name = "meshchain",
        mixinStandardHelpOptions = true,
        versionProvider = MeshchainCli.VersionProvider.class,
        description = "MeshChain: a permissioned BFT blockchain node.",
        subcommands = {CommandLine.HelpCommand.class, KeysCommand.class, SnapshotCommand.class, GenesisCommand.class,
            NodeCommand.class, DevnetCommand.class, TlsCommand.class, TxCommand.class, StatusCommand.class,
            DevicesCommand.class})
public final class MeshchainCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns its exit code (tests call this instead of {@link #main}). */
    public static int run(String... args) {
        return new CommandLine(new MeshchainCli()).execute(args);
    }

    @Override
    public void run() {
        // No subcommand: show what there is rather than doing nothing silently.
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Reads the version Maven filtered into the jar. */
    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties properties = new Properties();
            try (InputStream in = MeshchainCli.class.getResourceAsStream("/meshchain-version.properties")) {
                if (in == null) {
                    throw new IOException("meshchain-version.properties missing from the class path");
                }
                properties.load(in);
            }
            return new String[] {
                "meshchain " + properties.getProperty("version"),
                "JVM: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.version")
            };
        }
    }
}
