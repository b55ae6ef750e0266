package org.meshchain.persistence.chain;

import java.nio.ByteBuffer;
import java.util.List;
import org.meshchain.core.codec.Bytes;

/**
 * All receipts of one block in one stored value: {@code count (u32 BE) || end offset of each receipt
 * (u32 BE, count of them) || the receipts' bytes back to back}. A lookup by transaction reads the
 * block's value and slices one receipt out; a commit writes one value instead of one per
 * transaction. Reading checks every offset, so a damaged value is a {@link CorruptionException}.
 */
final class ReceiptsBlob {

    private ReceiptsBlob() {
    }

    static byte[] encode(List<Bytes> receipts) {
        long total = 4 + 4L * receipts.size();
        for (Bytes receipt : receipts) {
            total += receipt.length();
        }
        if (total > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("receipts of one block exceed 2 GiB");
        }
        byte[] out = new byte[(int) total];
        ByteBuffer header = ByteBuffer.wrap(out);
        header.putInt(receipts.size());
        int offset = 4 + 4 * receipts.size();
        for (Bytes receipt : receipts) {
            receipt.copyTo(out, offset);
            offset += receipt.length();
            header.putInt(offset);
        }
        return out;
    }

    /** Receipt {@code position} of the value stored for {@code height}. */
    static byte[] receiptAt(long height, byte[] blob, int position) {
        if (blob.length < 4) {
            throw new CorruptionException(height, "receipts value of " + blob.length + " bytes is too short");
        }
        ByteBuffer buffer = ByteBuffer.wrap(blob);
        int count = buffer.getInt(0);
        long dataStart = 4 + 4L * count;
        if (count < 0 || dataStart > blob.length) {
            throw new CorruptionException(height, "receipts value claims " + count + " receipts in " + blob.length + " bytes");
        }
        if (position < 0 || position >= count) {
            throw new CorruptionException(height, "transaction position " + position + " but the block has " + count + " receipts");
        }
        int start = position == 0 ? (int) dataStart : buffer.getInt(4 + 4 * (position - 1));
        int end = buffer.getInt(4 + 4 * position);
        int last = buffer.getInt(4 + 4 * (count - 1));
        if (start < dataStart || end < start || end > blob.length || last != blob.length) {
            throw new CorruptionException(height, "receipts value has inconsistent offsets at position " + position);
        }
        return java.util.Arrays.copyOfRange(blob, start, end);
    }
}
