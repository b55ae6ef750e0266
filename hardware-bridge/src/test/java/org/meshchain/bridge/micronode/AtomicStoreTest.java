package org.meshchain.bridge.micronode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicStoreTest {

    @TempDir
    Path dir;

    private static final LruCache.Codec<String> TEXT = new LruCache.Codec<>() {
        public byte[] encode(String value) {
            return value.getBytes(StandardCharsets.UTF_8);
        }

        public String decode(byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    };

    @Test
    void writesAreReadBackAndReplaced() throws Exception {
        AtomicStore store = new AtomicStore(dir);
        assertThat(store.read("state")).isEmpty();
        store.write("state", new byte[] {1, 2, 3});
        store.write("state", new byte[] {4, 5});
        assertThat(store.read("state")).contains(new byte[] {4, 5});
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("state");
        }
    }

    @Test
    void aCorruptedFileIsReportedNeverReturned() throws Exception {
        AtomicStore store = new AtomicStore(dir);
        store.write("account", "balance=10".getBytes(StandardCharsets.US_ASCII));
        byte[] raw = Files.readAllBytes(dir.resolve("account"));
        raw[raw.length - 1] ^= 1;
        Files.write(dir.resolve("account"), raw);
        assertThatThrownBy(() -> store.read("account")).isInstanceOf(AtomicStore.CorruptFileException.class)
                .hasMessageContaining("does not match its SHA-256");
        Files.write(dir.resolve("account"), new byte[] {1, 2});
        assertThatThrownBy(() -> store.read("account")).isInstanceOf(AtomicStore.CorruptFileException.class)
                .hasMessageContaining("no store header");
    }

    @Test
    void aTempFileLeftByACrashIsDiscardedAndTheOldValueKept() throws Exception {
        AtomicStore store = new AtomicStore(dir);
        store.write("state", new byte[] {7});
        Files.write(dir.resolve("state.tmp"), new byte[] {9, 9, 9}); // a write that crashed before its rename
        AtomicStore reopened = new AtomicStore(dir);
        assertThat(reopened.read("state")).contains(new byte[] {7});
        assertThat(Files.exists(dir.resolve("state.tmp"))).isFalse();
    }

    @Test
    void namesAreChecked() throws Exception {
        AtomicStore store = new AtomicStore(dir);
        assertThatThrownBy(() -> store.write("../escape", new byte[1])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.write("x.tmp", new byte[1])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void evictionFromTheCacheLosesNothing() throws Exception {
        AtomicStore store = new AtomicStore(dir);
        LruCache<String> cache = new LruCache<>(store, "h-", TEXT, 2);
        cache.put("1", "one");
        cache.put("2", "two");
        cache.put("3", "three");
        assertThat(cache.cachedEntries()).isEqualTo(2);
        assertThat(cache.get("1")).contains("one"); // evicted from memory, read back from the store
        assertThat(cache.misses()).isEqualTo(1);
        assertThat(cache.get("1")).contains("one");
        assertThat(cache.hits()).isEqualTo(1);
        // a fresh cache over the same store sees everything (nothing lived only in memory)
        LruCache<String> fresh = new LruCache<>(new AtomicStore(dir), "h-", TEXT, 1);
        assertThat(fresh.get("2")).contains("two");
        assertThat(fresh.get("3")).contains("three");
        assertThatThrownBy(() -> new LruCache<>(store, "h-", TEXT, 0)).hasMessageContaining("at least 1");
    }
}
