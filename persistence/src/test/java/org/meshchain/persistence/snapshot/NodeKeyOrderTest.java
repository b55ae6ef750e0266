package org.meshchain.persistence.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NodeKeyOrderTest {

    /** Node keys: version (8) || hash (32); many share their first hash bytes so the tie-break path runs. */
    @Test
    void ordersNodeKeysAsAnUnsignedSortOfTheWholeKeysEvenWhenPrefixesTie() {
        Random random = new Random(11);
        NodeRun run = new NodeRun();
        List<byte[]> keys = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            byte[] key = ByteBuffer.allocate(40).putLong(9).array();
            byte[] hash = new byte[32];
            random.nextBytes(hash);
            if (i % 4 == 0) {
                // a handful of shared 40-bit prefixes (high bytes included, to exercise the unsigned order)
                hash[0] = (byte) (0xF0 | (i % 3));
                hash[1] = 0;
                hash[2] = (byte) 0x80;
                hash[3] = 7;
                hash[4] = (byte) (i % 2);
            }
            System.arraycopy(hash, 0, key, 8, 32);
            keys.add(key);
            // values of varying length, enough to fill more than one page
            run.add(key, new byte[random.nextInt(600)]);
        }
        int[] order = run.keyOrder();
        List<byte[]> expected = new ArrayList<>(keys);
        expected.sort(Arrays::compareUnsigned);
        assertThat(order).hasSize(keys.size());
        for (int i = 0; i < order.length; i++) {
            assertThat(run.key(order[i])).as("position " + i).isEqualTo(expected.get(i));
        }
        assertThat(Arrays.stream(order).distinct().count()).isEqualTo(keys.size());
        assertThat(new NodeRun().keyOrder()).isEmpty();
    }
}
