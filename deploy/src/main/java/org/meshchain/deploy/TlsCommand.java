package org.meshchain.deploy;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import org.meshchain.node.tls.TlsCertificates;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code meshchain tls}: a private CA and one certificate per validator for mutual TLS between validators. */
@Command(name = "tls", mixinStandardHelpOptions = true,
        description = "Generate a CA, a trust store and one PKCS#12 key store per validator for mutual TLS "
                + "(meshchain.node.tls); all stores share the random password written to DIR/password.")
public final class TlsCommand extends CliSubcommand {

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory for the stores (must not hold a CA yet).")
    Path out;

    @Option(names = "--name", required = true, paramLabel = "NAME",
            description = "A validator's name (repeat for each); its key store is DIR/NAME.p12.")
    List<String> names;

    @Override
    void execute(PrintWriter stdout) throws CommandFailure {
        try {
            TlsCertificates.generate(out, names);
        } catch (IOException | IllegalArgumentException e) {
            throw new CommandFailure(e.getMessage());
        }
        stdout.println("CA, trust store and " + names.size() + " key stores written to " + out + ". For each validator set:");
        stdout.println("  meshchain.node.tls { enabled = on, key-store = \"" + out.resolve("NAME.p12") + "\", trust-store = \""
                + out.resolve(TlsCertificates.TRUST_STORE) + "\", password-file = \"" + out.resolve(TlsCertificates.PASSWORD_FILE)
                + "\" }");
        stdout.println("Keep " + out.resolve("ca.p12") + " offline: it signs new validator certificates.");
    }
}
