package org.meshchain.deploy;

import java.io.Console;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.crypto.Keystore;
import org.meshchain.core.crypto.KeystoreException;
import org.meshchain.core.types.Address;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code meshchain keys}: encrypted Ed25519 keystores (DESIGN 3.2). {@code generate} makes a new key and
 * writes it encrypted under a passphrase; {@code show} prints a keystore's address and public key, and with
 * {@code --check} proves the passphrase opens it. Failures are one line on stderr and exit code 1; usage
 * errors are picocli's exit code 2.
 */
@Command(
        name = "keys",
        mixinStandardHelpOptions = true,
        description = "Generate and inspect encrypted Ed25519 keystores.",
        subcommands = {KeysCommand.Generate.class, KeysCommand.Show.class})
public final class KeysCommand implements Runnable {

    /** Exit code of a command that ran and failed (picocli uses 2 for usage errors). */

    /** Where passphrases come from interactively, and the environment; replaced in tests. */
    interface Terminal {
        /** Reads a passphrase without echo, or returns null when there is no interactive console. */
        char[] readPassword(String prompt);

        String getenv(String name);
    }

    static final Terminal SYSTEM = new Terminal() {
        @Override
        public char[] readPassword(String prompt) {
            Console console = System.console();
            return console == null ? null : console.readPassword("%s", prompt);
        }

        @Override
        public String getenv(String name) {
            return System.getenv(name);
        }
    };

    private final Terminal terminal;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public KeysCommand() {
        this(SYSTEM);
    }

    KeysCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Where the passphrase comes from when not typed: a file or an environment variable (for automation). */
    static final class PassphraseSource {
        @Option(names = "--passphrase-file", paramLabel = "FILE",
                description = "Read the passphrase from FILE (its whole content as UTF-8; one trailing newline is ignored).")
        Path file;

        @Option(names = "--passphrase-env", paramLabel = "NAME",
                description = "Read the passphrase from environment variable NAME (for automation; the value "
                        + "stays in this process's environment, which a file with mode 0600 avoids).")
        String environmentVariable;

        /** Reads the passphrase; {@code confirm} asks twice on the console. The caller zeroes the result. */
        char[] read(Terminal terminal, boolean confirm) throws CliSubcommand.CommandFailure {
            if (file != null && environmentVariable != null) {
                throw new CliSubcommand.CommandFailure("give either --passphrase-file or --passphrase-env, not both");
            }
            char[] passphrase;
            if (file != null) {
                passphrase = fromFile(file);
            } else if (environmentVariable != null) {
                String value = terminal.getenv(environmentVariable);
                if (value == null) {
                    throw new CliSubcommand.CommandFailure("environment variable " + environmentVariable + " is not set");
                }
                passphrase = value.toCharArray();
            } else {
                passphrase = fromConsole(terminal, confirm);
            }
            if (passphrase.length == 0) {
                throw new CliSubcommand.CommandFailure("the passphrase is empty");
            }
            return passphrase;
        }

        private static char[] fromConsole(Terminal terminal, boolean confirm) throws CliSubcommand.CommandFailure {
            char[] first = terminal.readPassword("Passphrase: ");
            if (first == null) {
                throw new CliSubcommand.CommandFailure(
                        "no terminal to ask for the passphrase; use --passphrase-file FILE or --passphrase-env NAME");
            }
            if (!confirm) {
                return first;
            }
            char[] second = terminal.readPassword("Repeat passphrase: ");
            try {
                if (second == null || !Arrays.equals(first, second)) {
                    Arrays.fill(first, '\0');
                    throw new CliSubcommand.CommandFailure("the passphrases do not match");
                }
                return first;
            } finally {
                if (second != null) {
                    Arrays.fill(second, '\0');
                }
            }
        }

        private static final int MAX_PASSPHRASE_FILE_BYTES = 4096;

        private static char[] fromFile(Path file) throws CliSubcommand.CommandFailure {
            byte[] bytes;
            try {
                if (Files.size(file) > MAX_PASSPHRASE_FILE_BYTES) {
                    throw new CliSubcommand.CommandFailure("passphrase file " + file + " is larger than " + MAX_PASSPHRASE_FILE_BYTES + " bytes");
                }
                bytes = Files.readAllBytes(file);
            } catch (NoSuchFileException e) {
                throw new CliSubcommand.CommandFailure("passphrase file " + file + " does not exist");
            } catch (IOException e) {
                throw new CliSubcommand.CommandFailure("cannot read passphrase file " + file + ": " + e.getMessage());
            }
            try {
                int length = bytes.length;
                if (length > 0 && bytes[length - 1] == '\n') {
                    length--;
                    if (length > 0 && bytes[length - 1] == '\r') {
                        length--;
                    }
                }
                CharBuffer decoded = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes, 0, length));
                char[] passphrase = new char[decoded.remaining()];
                decoded.get(passphrase);
                Arrays.fill(decoded.array(), '\0');
                return passphrase;
            } catch (CharacterCodingException e) {
                throw new CliSubcommand.CommandFailure("passphrase file " + file + " is not UTF-8 text");
            } finally {
                Arrays.fill(bytes, (byte) 0);
            }
        }
    }

    /** A keys subcommand. */
    abstract static class Subcommand extends CliSubcommand {
        @CommandLine.ParentCommand
        KeysCommand parent;
    }

    @Command(name = "generate", mixinStandardHelpOptions = true,
            description = "Generate a new Ed25519 key and write it to FILE, encrypted under a passphrase "
                    + "(Argon2id + AES-256-GCM). Refuses to overwrite; the file is created with mode 0600.")
    static final class Generate extends Subcommand {

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "The keystore file to create.")
        Path out;

        @CommandLine.Mixin
        PassphraseSource passphraseSource;

        @Option(names = "--kdf-memory-kib", paramLabel = "KIB", description = "Argon2id memory in KiB (default: ${DEFAULT-VALUE}).")
        int memoryKiB = Keystore.Argon2Params.DEFAULT.memoryKiB();

        @Option(names = "--kdf-iterations", paramLabel = "N", description = "Argon2id passes (default: ${DEFAULT-VALUE}).")
        int iterations = Keystore.Argon2Params.DEFAULT.iterations();

        @Option(names = "--kdf-parallelism", paramLabel = "N", description = "Argon2id lanes (default: ${DEFAULT-VALUE}).")
        int parallelism = Keystore.Argon2Params.DEFAULT.parallelism();

        @Override
        void execute(PrintWriter printer) throws CliSubcommand.CommandFailure {
            Keystore.Argon2Params params;
            try {
                params = new Keystore.Argon2Params(memoryKiB, iterations, parallelism);
            } catch (IllegalArgumentException e) {
                throw new CliSubcommand.CommandFailure(e.getMessage());
            }
            if (Files.exists(out, LinkOption.NOFOLLOW_LINKS)) {
                throw new CliSubcommand.CommandFailure(out + " already exists; refusing to overwrite a keystore");
            }
            Path directory = out.toAbsolutePath().getParent();
            if (directory == null || !Files.isDirectory(directory)) {
                throw new CliSubcommand.CommandFailure("directory " + directory + " does not exist");
            }
            char[] passphrase = passphraseSource.read(parent.terminal, true);
            byte[] file;
            Address address;
            String publicKey;
            try (Ed25519PrivateKey key = Ed25519PrivateKey.generate(new SecureRandom())) {
                file = Keystore.encrypt(key, passphrase, new SecureRandom(), params);
                address = Address.of(key.publicKey());
                publicKey = key.publicKey().toHex();
            } finally {
                Arrays.fill(passphrase, '\0');
            }
            try {
                AtomicFiles.createNew(out, file);
            } catch (FileAlreadyExistsException e) {
                throw new CliSubcommand.CommandFailure(out + " already exists; refusing to overwrite a keystore");
            } catch (IOException e) {
                throw new CliSubcommand.CommandFailure("cannot write " + out + ": " + e.getMessage());
            }
            printer.println("wrote      " + out);
            printer.println("address    " + address.toHex());
            printer.println("public key " + publicKey);
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Print a keystore's address and public key (no passphrase needed); "
                    + "with --check, ask for the passphrase and verify that it decrypts the key.")
    static final class Show extends Subcommand {

        @Parameters(index = "0", paramLabel = "FILE", description = "The keystore file.")
        Path file;

        @Option(names = "--check", description = "Ask for the passphrase and verify that it opens the keystore.")
        boolean check;

        @CommandLine.Mixin
        PassphraseSource passphraseSource;

        @Override
        void execute(PrintWriter printer) throws CliSubcommand.CommandFailure {
            byte[] bytes = TxCommand.readKeystore(file);
            Keystore.Header header;
            try {
                header = Keystore.readHeader(bytes);
            } catch (KeystoreException e) {
                throw new CliSubcommand.CommandFailure(file + ": " + e.getMessage());
            }
            printer.println("address    " + Address.of(header.publicKey()).toHex());
            printer.println("public key " + header.publicKey().toHex());
            printer.println("kdf        Argon2id, " + header.params().memoryKiB() + " KiB, "
                    + header.params().iterations() + " passes, " + header.params().parallelism() + " lanes");
            if (!check) {
                return;
            }
            printer.flush();
            char[] passphrase = passphraseSource.read(parent.terminal, false);
            Ed25519PrivateKey key;
            try {
                key = Keystore.decrypt(bytes, passphrase);
            } catch (KeystoreException e) {
                throw new CliSubcommand.CommandFailure(file + ": " + e.getMessage());
            } finally {
                Arrays.fill(passphrase, '\0');
            }
            // decrypt has already checked that the key inside is the public key printed above; the check
            // needs nothing more from it.
            key.destroy();
            printer.println("passphrase OK: the keystore decrypts to the key of this public key");
        }
    }

    /** Crash-safe creation of a small file that must never replace an existing one. */
    static final class AtomicFiles {

        private AtomicFiles() {
        }

        /**
         * Writes {@code content} to a temporary file in the target's directory (mode 0600 on POSIX), fsyncs
         * it, publishes it under {@code target} without ever overwriting (a hard link, which fails if the
         * name exists, then unlinking the temporary name; an atomic rename after a re-check where the file
         * system has no hard links), and fsyncs the directory so the new name survives a crash.
         */
        static void createNew(Path target, byte[] content) throws IOException {
            Path directory = target.toAbsolutePath().getParent();
            Path temp = directory.resolve("." + target.getFileName() + "." + HexFormat.of().formatHex(randomBytes()) + ".tmp");
            boolean posix = directory.getFileSystem().supportedFileAttributeViews().contains("posix");
            FileAttribute<?>[] attributes = posix
                    ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                    : new FileAttribute<?>[0];
            try {
                try (FileChannel channel = FileChannel.open(temp,
                        EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), attributes)) {
                    ByteBuffer buffer = ByteBuffer.wrap(content);
                    while (buffer.hasRemaining()) {
                        channel.write(buffer);
                    }
                    channel.force(true);
                }
                try {
                    Files.createLink(target, temp);
                } catch (FileAlreadyExistsException e) {
                    throw e;
                } catch (UnsupportedOperationException | IOException noHardLinks) {
                    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                        throw new FileAlreadyExistsException(target.toString());
                    }
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
                }
            } finally {
                Files.deleteIfExists(temp);
            }
            if (posix) {
                try (FileChannel directoryChannel = FileChannel.open(directory, StandardOpenOption.READ)) {
                    directoryChannel.force(true);
                }
            }
        }

        private static byte[] randomBytes() {
            byte[] bytes = new byte[6];
            new SecureRandom().nextBytes(bytes);
            return bytes;
        }
    }
}
