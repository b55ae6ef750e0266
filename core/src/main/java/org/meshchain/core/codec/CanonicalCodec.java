package org.meshchain.core.codec;

/**
 * Canonical encoding of one type. {@code decode(encode(x)).equals(x)} for every value and
 * {@code encode(decode(b))} equals {@code b} for every accepted {@code b}.
 */
public interface CanonicalCodec<T> {

    void write(CanonicalWriter writer, T value);

    T read(CanonicalReader reader) throws DecodeException;

    default byte[] encode(T value) {
        CanonicalWriter writer = new CanonicalWriter();
        write(writer, value);
        return writer.toByteArray();
    }

    /** Strict top-level decode: rejects inputs over {@code maxBytes} and trailing bytes. */
    default T decode(byte[] bytes, int maxBytes, String what) throws DecodeException {
        if (bytes.length > maxBytes) {
            throw new DecodeException(what, DecodeException.Kind.LENGTH_OVER_LIMIT,
                    "input of " + bytes.length + " bytes over limit " + maxBytes);
        }
        CanonicalReader reader = new CanonicalReader(bytes);
        T value = read(reader);
        reader.finish(what);
        return value;
    }
}
