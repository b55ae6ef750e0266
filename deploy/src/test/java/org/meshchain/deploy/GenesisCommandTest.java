package org.meshchain.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meshchain.core.crypto.Ed25519PrivateKey;
import org.meshchain.core.crypto.Keystore;
import org.meshchain.core.types.Address;
import org.meshchain.node.genesis.Genesis;
import picocli.CommandLine;

class GenesisCommandTest {

    @TempDir
    Path dir;

    private record Result(int exitCode, String out, String err) {}

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new GenesisCommand());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    private Path keystore(String name, Ed25519PrivateKey key) throws Exception {
        Path file = dir.resolve(name);
        Files.write(file, Keystore.encrypt(key, "pw".toCharArray(), new SecureRandom(), new Keystore.Argon2Params(64, 1, 1)));
        return file;
    }

    @Test
    void createsAGenesisFromKeystoresThatEveryNodeReadsTheSame() throws Exception {
        Ed25519PrivateKey v1 = Ed25519PrivateKey.generate(new SecureRandom());
        Ed25519PrivateKey v2 = Ed25519PrivateKey.generate(new SecureRandom());
        Ed25519PrivateKey user = Ed25519PrivateKey.generate(new SecureRandom());
        Address other = Address.of(Ed25519PrivateKey.generate(new SecureRandom()).publicKey());
        Path out = dir.resolve("genesis.json");
        Result result = run("create", "--chain-id", "test-net", "--validator-key", keystore("v1.key", v1).toString(),
                "--validator-key", keystore("v2.key", v2).toString(), "--account-key", keystore("u.key", user) + "=500",
                "--account", other.toHex() + "=7", "--genesis-time-ms", "1000", "-o", out.toString());
        assertThat(result.exitCode()).as(result.err()).isZero();
        Genesis genesis = Genesis.read(out);
        assertThat(genesis.validatorKeys()).containsExactly(v1.publicKey(), v2.publicKey());
        assertThat(genesis.accounts()).containsEntry(Address.of(user.publicKey()), 500L).containsEntry(other, 7L);
        assertThat(Genesis.parse(genesis.toJson(), "again").block().id()).isEqualTo(genesis.block().id());
        assertThat(result.out()).contains(genesis.block().id().toString());

        Result show = run("show", out.toString());
        assertThat(show.exitCode()).isZero();
        assertThat(show.out()).contains("state root:    " + genesis.stateRoot());
    }

    @Test
    void badInputIsOneLineNamingWhatIsWrong() throws Exception {
        Ed25519PrivateKey v1 = Ed25519PrivateKey.generate(new SecureRandom());
        Path key = keystore("v1.key", v1);
        Path out = dir.resolve("genesis.json");
        Result badBalance = run("create", "--chain-id", "c", "--validator-key", key.toString(), "--account",
                Address.of(v1.publicKey()).toHex() + "=-3", "-o", out.toString());
        assertThat(badBalance.exitCode()).isEqualTo(1);
        assertThat(badBalance.err()).contains("the balance must be an integer");
        Result notAKeystore = run("create", "--chain-id", "c", "--validator-key", out.getParent().resolve("none").toString(),
                "-o", out.toString());
        assertThat(notAKeystore.exitCode()).isEqualTo(1);
        assertThat(notAKeystore.err()).contains("cannot read");
        assertThat(Files.exists(out)).isFalse();
        Result badChain = run("create", "--chain-id", "Bad Chain!", "--validator-key", key.toString(), "-o", out.toString());
        assertThat(badChain.err()).contains("chain id must be");
    }
}
