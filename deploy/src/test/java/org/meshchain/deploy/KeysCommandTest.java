package org.meshchain.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.crypto.Keystore;
import org.meshchain.core.types.Address;
import picocli.CommandLine;

class KeysCommandTest {

    /** Cheap Argon2 so tests are fast; the default is covered in core's KeystoreTest. */
    private static final String[] FAST_KDF = {"--kdf-memory-kib", "64", "--kdf-iterations", "1", "--kdf-parallelism", "1"};

    @TempDir
    Path dir;

    /** A scripted terminal: answers prompts from a queue (null = no console) and a fake environment. */
    private static final class FakeTerminal implements KeysCommand.Terminal {
        final Deque<String> answers = new ArrayDeque<>();
        final Map<String, String> environment = new HashMap<>();
        boolean interactive = true;
        int prompts;

        @Override
        public char[] readPassword(String prompt) {
            if (!interactive) {
                return null;
            }
            prompts++;
            String answer = answers.poll();
            return answer == null ? null : answer.toCharArray();
        }

        @Override
        public String getenv(String name) {
            return environment.get(name);
        }
    }

    private record Result(int exitCode, String out, String err) {
    }

    private static Result run(FakeTerminal terminal, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new KeysCommand(terminal));
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    private static String[] concat(String[] first, String... second) {
        String[] all = java.util.Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, all, first.length, second.length);
        return all;
    }

    private static String field(String output, String name) {
        Matcher matcher = Pattern.compile("(?m)^" + name + "\\s+([0-9a-f]{64})$").matcher(output);
        assertThat(matcher.find()).as("'%s' in %s", name, output).isTrue();
        return matcher.group(1);
    }

    @Test
    void generateAsksTwiceWritesA0600KeystoreAndShowPrintsTheSameIdentity() throws Exception {
        FakeTerminal terminal = new FakeTerminal();
        terminal.answers.add("s3cret passphrase");
        terminal.answers.add("s3cret passphrase");
        Path keystore = dir.resolve("validator.key");

        Result generated = run(terminal, concat(new String[] {"generate", "--out", keystore.toString()}, FAST_KDF));
        assertThat(generated.exitCode()).as(generated.err()).isZero();
        assertThat(terminal.prompts).isEqualTo(2);
        assertThat(Files.getPosixFilePermissions(keystore))
                .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
        // Only the keystore is left in the directory: the temporary file is gone.
        try (var listing = Files.list(dir)) {
            assertThat(listing.toList()).containsExactly(keystore);
        }

        // The file really is a keystore of the printed key, and the address is H("Address", public key).
        byte[] bytes = Files.readAllBytes(keystore);
        try (Ed25519PrivateKey key = Keystore.decrypt(bytes, "s3cret passphrase".toCharArray())) {
            assertThat(field(generated.out(), "public key")).isEqualTo(key.publicKey().toHex());
            assertThat(field(generated.out(), "address")).isEqualTo(Address.of(key.publicKey()).toHex());
        }

        Result shown = run(new FakeTerminal(), "show", keystore.toString());
        assertThat(shown.exitCode()).isZero();
        assertThat(field(shown.out(), "address")).isEqualTo(field(generated.out(), "address"));
        assertThat(field(shown.out(), "public key")).isEqualTo(field(generated.out(), "public key"));
        assertThat(shown.out()).contains("Argon2id, 64 KiB, 1 passes, 1 lanes");
    }

    @Test
    void generateRefusesToOverwriteAnExistingFile() throws Exception {
        Path existing = dir.resolve("taken.key");
        Files.writeString(existing, "precious");
        FakeTerminal terminal = new FakeTerminal();
        terminal.answers.add("pw");
        terminal.answers.add("pw");
        Result result = run(terminal, concat(new String[] {"generate", "--out", existing.toString()}, FAST_KDF));
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).isEqualTo("meshchain keys generate: " + existing + " already exists; refusing to overwrite a keystore" + System.lineSeparator());
        assertThat(Files.readString(existing)).isEqualTo("precious");
        assertThat(terminal.prompts).as("fails before asking for a passphrase").isZero();
    }

    @Test
    void mismatchedConfirmationAndMissingConsoleAreOneLineErrors() {
        FakeTerminal terminal = new FakeTerminal();
        terminal.answers.add("one");
        terminal.answers.add("two");
        Path target = dir.resolve("k");
        Result mismatch = run(terminal, concat(new String[] {"generate", "--out", target.toString()}, FAST_KDF));
        assertThat(mismatch.exitCode()).isEqualTo(1);
        assertThat(mismatch.err()).contains("the passphrases do not match").doesNotContain("Exception").hasLineCount(1);
        assertThat(target).doesNotExist();

        FakeTerminal noConsole = new FakeTerminal();
        noConsole.interactive = false;
        Result headless = run(noConsole, concat(new String[] {"generate", "--out", target.toString()}, FAST_KDF));
        assertThat(headless.exitCode()).isEqualTo(1);
        assertThat(headless.err()).contains("--passphrase-file").hasLineCount(1);
        assertThat(target).doesNotExist();
    }

    @Test
    void passphraseFromFileOrEnvironmentForAutomationAndCheck() throws Exception {
        Path passphraseFile = dir.resolve("pass.txt");
        Files.writeString(passphraseFile, "från fil\n", StandardCharsets.UTF_8);
        Path keystore = dir.resolve("auto.key");
        FakeTerminal terminal = new FakeTerminal();
        Result generated = run(terminal, concat(new String[] {"generate", "--out", keystore.toString(),
                "--passphrase-file", passphraseFile.toString()}, FAST_KDF));
        assertThat(generated.exitCode()).as(generated.err()).isZero();
        assertThat(terminal.prompts).isZero();
        // The trailing newline is not part of the passphrase.
        try (Ed25519PrivateKey key = Keystore.decrypt(Files.readAllBytes(keystore), "från fil".toCharArray())) {
            assertThat(key.publicKey().toHex()).isEqualTo(field(generated.out(), "public key"));
        }

        FakeTerminal environment = new FakeTerminal();
        environment.environment.put("NODE_PASS", "från fil");
        Result checked = run(environment, "show", "--check", "--passphrase-env", "NODE_PASS", keystore.toString());
        assertThat(checked.exitCode()).as(checked.err()).isZero();
        assertThat(checked.out()).contains("passphrase OK");

        FakeTerminal typed = new FakeTerminal();
        typed.answers.add("från fil");
        Result typedCheck = run(typed, "show", "--check", keystore.toString());
        assertThat(typedCheck.exitCode()).isZero();
        assertThat(typed.prompts).as("check asks once").isEqualTo(1);
    }

    @Test
    void checkWithTheWrongPassphraseFailsClearly() throws Exception {
        Path keystore = dir.resolve("v.key");
        FakeTerminal terminal = new FakeTerminal();
        terminal.environment.put("P", "right");
        assertThat(run(terminal, concat(new String[] {"generate", "--out", keystore.toString(), "--passphrase-env", "P"}, FAST_KDF))
                .exitCode()).isZero();
        terminal.environment.put("P", "wrong");
        Result result = run(terminal, "show", "--check", "--passphrase-env", "P", keystore.toString());
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).contains("address");
        assertThat(result.err()).isEqualTo("meshchain keys show: " + keystore
                + ": wrong passphrase, or the keystore was altered (authentication failed)" + System.lineSeparator());

        Result unset = run(new FakeTerminal(), "show", "--check", "--passphrase-env", "UNSET_VAR", keystore.toString());
        assertThat(unset.exitCode()).isEqualTo(1);
        assertThat(unset.err()).contains("environment variable UNSET_VAR is not set");
    }

    @Test
    void showRejectsMissingOversizedAndMalformedFiles() throws Exception {
        Result missing = run(new FakeTerminal(), "show", dir.resolve("nope").toString());
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains("does not exist").hasLineCount(1);

        Path big = dir.resolve("big");
        Files.write(big, new byte[10_000]);
        Result oversized = run(new FakeTerminal(), "show", big.toString());
        assertThat(oversized.exitCode()).isEqualTo(1);
        assertThat(oversized.err()).contains("is not a keystore").hasLineCount(1);

        Path garbage = dir.resolve("garbage");
        Files.writeString(garbage, "not a keystore at all");
        Result malformed = run(new FakeTerminal(), "show", garbage.toString());
        assertThat(malformed.exitCode()).isEqualTo(1);
        assertThat(malformed.err()).contains("bad magic").doesNotContain("\tat ").hasLineCount(1);
    }

    @Test
    void usageErrorsUsePicocliExitCodeAndUnsafeKdfSettingsAreRefused() {
        Result noOut = run(new FakeTerminal(), "generate");
        assertThat(noOut.exitCode()).isEqualTo(2);
        assertThat(noOut.err()).contains("Missing required option: '--out=FILE'");

        FakeTerminal terminal = new FakeTerminal();
        terminal.environment.put("P", "pw");
        Result tooMuchMemory = run(terminal, "generate", "--out", dir.resolve("x").toString(), "--passphrase-env", "P",
                "--kdf-memory-kib", "999999999");
        assertThat(tooMuchMemory.exitCode()).isEqualTo(1);
        assertThat(tooMuchMemory.err()).contains("Argon2 memory");
    }

    @Test
    void keysIsRegisteredInTheMeshchainBinary() throws Exception {
        Path keystore = dir.resolve("reg.key");
        Files.write(keystore, Keystore.encrypt(Ed25519PrivateKey.generate(new java.security.SecureRandom()),
                "pw".toCharArray(), new java.security.SecureRandom(), new Keystore.Argon2Params(64, 1, 1)));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new MeshchainCli());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        assertThat(cli.execute("keys", "show", keystore.toString())).isZero();
        assertThat(out.toString()).contains("address").contains("public key");
        assertThat(cli.execute("keys", "show", dir.resolve("missing").toString())).isEqualTo(1);
        assertThat(err.toString()).startsWith("meshchain keys show: ");
    }
}
