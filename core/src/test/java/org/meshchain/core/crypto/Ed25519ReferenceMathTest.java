package org.meshchain.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Checks the test-only BigInteger curve code against RFC 8032 before the edge-case tests rely on it, and
 * cross-checks the small-order y-coordinates that production derives in closed form against an
 * independent derivation: [L]P for random curve points P lands in the torsion subgroup.
 */
class Ed25519ReferenceMathTest {

    private static final HexFormat HEX = HexFormat.of();

    @Test
    void baseHasPrimeOrderAndEncodesAsInTheRfc() {
        assertThat(Ed25519ReferenceMath.BASE.isOnCurve()).isTrue();
        // RFC 8032 5.1: B's encoding is 0x58 followed by 0x66 bytes.
        assertThat(HEX.formatHex(Ed25519ReferenceMath.BASE.encode()))
                .isEqualTo("58" + "66".repeat(31));
        assertThat(Ed25519ReferenceMath.BASE.multiply(Ed25519ReferenceMath.L))
                .isEqualTo(Ed25519ReferenceMath.Point.IDENTITY);
    }

    @Test
    void derivesRfcTest1PublicKeyAndItsSignatureSatisfiesBothEquations() {
        byte[] seed = HEX.parseHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        BigInteger secret = Ed25519ReferenceMath.secretScalar(seed);
        byte[] publicKey = Ed25519ReferenceMath.BASE.multiply(secret).encode();
        assertThat(HEX.formatHex(publicKey))
                .isEqualTo("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
        byte[] signature = HEX.parseHex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
        assertThat(Ed25519ReferenceMath.cofactorlessEquationHolds(publicKey, new byte[0], signature)).isTrue();
        assertThat(Ed25519ReferenceMath.cofactoredEquationHolds(publicKey, new byte[0], signature)).isTrue();
        assertThat(Ed25519ReferenceMath.cofactorlessEquationHolds(publicKey, new byte[] {1}, signature)).isFalse();
    }

    @Test
    void productionSmallOrderYsAreExactlyTheTorsionPointsFoundIndependently() {
        Set<BigInteger> production = new HashSet<>(Ed25519Encoding.smallOrderYs());
        assertThat(production).hasSize(5);

        // Each production y gives points (both signs of x) of order dividing 8, and not all of order 1 or 2.
        Set<Integer> orders = new HashSet<>();
        for (BigInteger y : production) {
            Ed25519ReferenceMath.Point point = Ed25519ReferenceMath.decodeLenient(Ed25519Encoding.toLittleEndian(y));
            assertThat(point).as("y = %s decodes", y).isNotNull();
            assertThat(point.isOnCurve()).isTrue();
            orders.add(order(point));
            orders.add(order(point.negate()));
        }
        assertThat(orders).containsExactlyInAnyOrder(1, 2, 4, 8);

        // Independently: [L]P is in the 8-torsion subgroup for every curve point P; collect the y's reached.
        Random random = new Random(8032);
        Set<BigInteger> reached = new HashSet<>();
        int tried = 0;
        while (reached.size() < 5 && tried < 400) {
            byte[] candidate = new byte[32];
            random.nextBytes(candidate);
            Ed25519ReferenceMath.Point point = Ed25519ReferenceMath.decodeLenient(candidate);
            tried++;
            if (point == null) {
                continue;
            }
            Ed25519ReferenceMath.Point torsion = point.multiply(Ed25519ReferenceMath.L);
            assertThat(order(torsion)).isLessThanOrEqualTo(8);
            reached.add(torsion.y());
        }
        assertThat(reached).isEqualTo(production);
    }

    /** The order of a point known to lie in the 8-torsion subgroup (1, 2, 4 or 8), or 0 if it does not. */
    private static int order(Ed25519ReferenceMath.Point point) {
        Ed25519ReferenceMath.Point current = point;
        for (int order = 1; order <= 8; order *= 2) {
            if (current.equals(Ed25519ReferenceMath.Point.IDENTITY)) {
                return order;
            }
            current = current.add(current);
        }
        return 0;
    }
}
