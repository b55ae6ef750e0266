package org.meshchain.merkle;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.meshchain.core.codec.Bytes;
import org.meshchain.core.crypto.Hash32;
import org.meshchain.core.crypto.Hashing;

/** The worked example in merkle/README.md: every hash there is recomputed here. */
class ReadmeExampleTest {

    static final Hash32 PATH_A = Hash32.fromHex("40" + "00".repeat(31));
    static final Hash32 PATH_B = Hash32.fromHex("60" + "00".repeat(31));
    static final Hash32 PATH_C = Hash32.fromHex("50" + "00".repeat(31));
    static final byte[] VALUE_A = "alpha".getBytes(StandardCharsets.US_ASCII);
    static final byte[] VALUE_B = "beta".getBytes(StandardCharsets.US_ASCII);

    /** Each README table row: name → the hex that the tree and the proofs produce. */
    static Map<String, String> exampleRows() {
        SparseMerkleTree tree = new SparseMerkleTree(new InMemoryNodeStore());
        Hash32 rootA = tree.apply(0, List.of(SmtUpdate.put(PATH_A, Bytes.of(VALUE_A)))).root();
        Hash32 rootAB = tree.apply(1, List.of(SmtUpdate.put(PATH_B, Bytes.of(VALUE_B)))).root();

        Hash32 valueHashA = Hashing.sha256(VALUE_A);
        Hash32 valueHashB = Hashing.sha256(VALUE_B);
        Hash32 leafA = ReferenceSmt.leafHash(PATH_A, Bytes.of(VALUE_A));
        Hash32 leafB = ReferenceSmt.leafHash(PATH_B, Bytes.of(VALUE_B));
        Hash32 depth2 = ReferenceSmt.innerHash(leafA, leafB);
        Hash32 depth1 = ReferenceSmt.innerHash(Hash32.ZERO, depth2);
        Hash32 root = ReferenceSmt.innerHash(depth1, Hash32.ZERO);
        assertThat(rootA).isEqualTo(leafA);
        assertThat(rootAB).isEqualTo(root);

        Map<String, String> rows = new LinkedHashMap<>();
        rows.put("SHA-256(\"alpha\")", valueHashA.toHex());
        rows.put("SHA-256(\"beta\")", valueHashB.toHex());
        rows.put("leaf A = SHA-256(00 ‖ A ‖ SHA-256(\"alpha\"))", leafA.toHex());
        rows.put("leaf B = SHA-256(00 ‖ B ‖ SHA-256(\"beta\"))", leafB.toHex());
        rows.put("root of {A} alone = leaf A", rootA.toHex());
        rows.put("n01 = SHA-256(01 ‖ leaf A ‖ leaf B)", depth2.toHex());
        rows.put("n0 = SHA-256(01 ‖ 00…00 ‖ n01)", depth1.toHex());
        rows.put("root of {A, B} = SHA-256(01 ‖ n0 ‖ 00…00)", rootAB.toHex());
        SmtProof membership = tree.prove(2, PATH_A);
        assertThat(SmtProof.verifyMembership(rootAB, PATH_A, VALUE_A, membership)).isTrue();
        rows.put("membership proof of A, encoded", HexFormat.of().formatHex(membership.encode()));
        SmtProof nonMembership = tree.prove(2, PATH_C);
        assertThat(SmtProof.verifyNonMembership(rootAB, PATH_C, nonMembership)).isTrue();
        rows.put("non-membership proof of C, encoded", HexFormat.of().formatHex(nonMembership.encode()));
        return rows;
    }

    @Test
    void readmeStatesTheHashesOfTheWorkedExample() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        for (Map.Entry<String, String> row : exampleRows().entrySet()) {
            assertThat(readme).as("README row for %s", row.getKey())
                    .contains("| " + row.getKey() + " | `" + row.getValue() + "` |");
        }
    }

    public static void main(String[] args) {
        exampleRows().forEach((name, hex) -> System.out.println("| " + name + " | `" + hex + "` |"));
    }
}
