package org.meshchain.node.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificates for mutual TLS between validators (Artery {@code tls-tcp}): one private CA, one PKCS#12
 * key store per validator (EC P-256 key, certificate signed by the CA, usable as TLS server and client)
 * and one trust store holding only the CA. Generated with the JDK's {@code keytool}, so no extra
 * library is needed. All stores share one random password, written to {@code password} (mode 0600).
 *
 * <p>Layout of {@code dir}: {@code ca.p12} (keep it offline in production), {@code ca.pem},
 * {@code truststore.p12}, {@code NAME.p12} per validator, {@code password}.
 */
public final class TlsCertificates {

    public static final String PASSWORD_FILE = "password";
    public static final String TRUST_STORE = "truststore.p12";
    private static final int VALIDITY_DAYS = 825;

    private TlsCertificates() {}

    /** Creates the CA, the trust store and one key store per name; refuses to overwrite an existing CA. */
    public static void generate(Path dir, List<String> names) throws IOException {
        for (String name : names) {
            if (!name.matches("[a-zA-Z0-9][a-zA-Z0-9-]{0,62}")) {
                throw new IllegalArgumentException("validator name '" + name + "': use letters, digits and '-' (1..63)");
            }
        }
        Files.createDirectories(dir);
        if (Files.exists(dir.resolve("ca.p12"))) {
            throw new IOException(dir.resolve("ca.p12") + " exists: refusing to replace a CA (use a new directory)");
        }
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String password = HexFormat.of().formatHex(random);
        Path passwordFile = dir.resolve(PASSWORD_FILE);
        Files.writeString(passwordFile, password, StandardCharsets.UTF_8);
        try {
            Files.setPosixFilePermissions(passwordFile, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the file keeps the default permissions
        }
        String ca = dir.resolve("ca.p12").toString();
        String caPem = dir.resolve("ca.pem").toString();
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=MeshChain validators CA",
                "-ext", "bc:c", "-validity", "3650", "-keystore", ca, "-storetype", "PKCS12", "-storepass", password);
        keytool("-exportcert", "-alias", "ca", "-keystore", ca, "-storepass", password, "-rfc", "-file", caPem);
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", caPem, "-keystore", dir.resolve(TRUST_STORE).toString(),
                "-storetype", "PKCS12", "-storepass", password);
        for (String name : names) {
            String store = dir.resolve(name + ".p12").toString();
            String csr = dir.resolve(name + ".csr").toString();
            String pem = dir.resolve(name + ".pem").toString();
            keytool("-genkeypair", "-alias", "node", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
                    "-validity", String.valueOf(VALIDITY_DAYS), "-keystore", store, "-storetype", "PKCS12", "-storepass", password);
            keytool("-certreq", "-alias", "node", "-keystore", store, "-storepass", password, "-file", csr);
            keytool("-gencert", "-alias", "ca", "-keystore", ca, "-storepass", password, "-infile", csr, "-outfile", pem, "-rfc",
                    "-validity", String.valueOf(VALIDITY_DAYS), "-ext", "ku:c=digitalSignature,keyAgreement",
                    "-ext", "eku=serverAuth,clientAuth");
            keytool("-importcert", "-noprompt", "-alias", "ca", "-file", caPem, "-keystore", store, "-storepass", password);
            keytool("-importcert", "-alias", "node", "-file", pem, "-keystore", store, "-storepass", password);
            Files.delete(Path.of(csr));
        }
    }

    private static void keytool(String... args) throws IOException {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<String> command = new ArrayList<>();
        command.add(keytool.toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("keytool " + args[0] + " did not finish within 60 s");
            }
            if (process.exitValue() != 0) {
                throw new IOException("keytool " + args[0] + " failed: " + output.strip());
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running keytool", e);
        }
    }
}
