package org.meshchain.persistence.pekko;

import com.typesafe.config.Config;
import java.io.NotSerializableException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.pekko.dispatch.Futures;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.journal.japi.AsyncWriteJournal;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Pekko Persistence journal on RocksDB with synchronous (fsynced) writes (DESIGN 7.2): the consensus
 * safety state is persisted through it BEFORE a vote leaves the node, so a write is acknowledged
 * only once it is durable.
 *
 * <p>Operations run synchronously inside the journal actor, which Pekko runs on the plugin
 * dispatcher; that keeps blocking I/O off the default dispatcher and keeps writes in order.
 *
 * <p>Layout: column family {@code messages}: {@code pid-prefix || seqNr} → serialized
 * {@link PersistentRepr}; column family {@code highest}: {@code pid-prefix} → highest sequence number
 * ever written, kept across deletes (Pekko requires it not to go back after deletion).
 */
public final class RocksDbJournal extends AsyncWriteJournal {

    private static final String PLUGIN = "meshchain.persistence.journal";

    private final Serialization serialization;
    private final int maxMessageBytes;
    private final DBOptions dbOptions;
    private final ColumnFamilyOptions columnOptions;
    private final WriteOptions syncWrites;
    private final List<ColumnFamilyHandle> handles = new ArrayList<>();
    private final RocksDB db;
    private final ColumnFamilyHandle messages;
    private final ColumnFamilyHandle highest;

    public RocksDbJournal(Config config) throws RocksDBException {
        this.serialization = SerializationExtension.get(context().system());
        this.maxMessageBytes = PluginSupport.positiveBytes(config, "max-message-bytes", PLUGIN);
        String path = PluginSupport.directory(config, PLUGIN).toString();
        this.dbOptions = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true);
        this.columnOptions = new ColumnFamilyOptions();
        this.syncWrites = new WriteOptions().setSync(true);
        List<ColumnFamilyDescriptor> descriptors = List.of(
                new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, columnOptions),
                new ColumnFamilyDescriptor("messages".getBytes(), columnOptions),
                new ColumnFamilyDescriptor("highest".getBytes(), columnOptions));
        try {
            this.db = RocksDB.open(dbOptions, path, descriptors, handles);
        } catch (RocksDBException e) {
            syncWrites.close();
            columnOptions.close();
            dbOptions.close();
            throw e;
        }
        this.messages = handles.get(1);
        this.highest = handles.get(2);
    }

    @Override
    public void postStop() {
        for (ColumnFamilyHandle handle : handles) {
            handle.close();
        }
        db.close();
        syncWrites.close();
        columnOptions.close();
        dbOptions.close();
    }

    @Override
    public Future<Iterable<Optional<Exception>>> doAsyncWriteMessages(Iterable<AtomicWrite> writes) {
        List<Optional<Exception>> results = new ArrayList<>();
        try (WriteBatch batch = new WriteBatch()) {
            for (AtomicWrite write : writes) {
                Optional<Exception> rejection = addAtomicWrite(batch, write);
                results.add(rejection);
            }
            // One synced batch: every accepted AtomicWrite becomes durable together, or none does.
            db.write(syncWrites, batch);
        } catch (RocksDBException e) {
            return Futures.failed(e);
        }
        return Futures.successful(results);
    }

    /** Adds one AtomicWrite to the batch, or returns why it is rejected (then nothing of it is added). */
    private Optional<Exception> addAtomicWrite(WriteBatch batch, AtomicWrite write) throws RocksDBException {
        List<PersistentRepr> events = CollectionConverters.asJava(write.payload());
        List<byte[]> serialized = new ArrayList<>(events.size());
        for (PersistentRepr event : events) {
            scala.util.Try<byte[]> bytes = serialization.serialize(event);
            if (bytes.isFailure()) {
                Throwable cause = bytes.failed().get();
                return Optional.of(cause instanceof Exception e ? e : new NotSerializableException(cause.toString()));
            }
            if (bytes.get().length > maxMessageBytes) {
                return Optional.of(new IllegalArgumentException("event of " + bytes.get().length
                        + " bytes for " + write.persistenceId() + " exceeds " + PLUGIN + ".max-message-bytes = " + maxMessageBytes));
            }
            serialized.add(bytes.get());
        }
        byte[] prefix = PluginSupport.prefix(write.persistenceId());
        for (int i = 0; i < events.size(); i++) {
            batch.put(messages, PluginSupport.key(prefix, events.get(i).sequenceNr()), serialized.get(i));
        }
        long previousHighest = readHighest(prefix);
        batch.put(highest, prefix, PluginSupport.longBytes(Math.max(previousHighest, write.highestSequenceNr())));
        return Optional.empty();
    }

    @Override
    public Future<Void> doAsyncDeleteMessagesTo(String persistenceId, long toSequenceNr) {
        try (WriteBatch batch = new WriteBatch()) {
            byte[] prefix = PluginSupport.prefix(persistenceId);
            long upTo = Math.min(toSequenceNr, readHighest(prefix));
            if (upTo >= 1) {
                batch.deleteRange(messages, PluginSupport.key(prefix, 0), PluginSupport.key(prefix, upTo + 1));
                db.write(syncWrites, batch);
            }
            return Futures.successful(null);
        } catch (RocksDBException | RuntimeException e) {
            return Futures.failed(e);
        }
    }

    @Override
    public Future<Void> doAsyncReplayMessages(String persistenceId, long fromSequenceNr, long toSequenceNr, long max,
            Consumer<PersistentRepr> replayCallback) {
        try (RocksIterator iterator = db.newIterator(messages)) {
            byte[] prefix = PluginSupport.prefix(persistenceId);
            long replayed = 0;
            for (iterator.seek(PluginSupport.key(prefix, Math.max(0, fromSequenceNr)));
                    iterator.isValid() && replayed < max; iterator.next()) {
                byte[] key = iterator.key();
                if (!PluginSupport.hasPrefix(key, prefix) || PluginSupport.longAt(key, prefix.length) > toSequenceNr) {
                    break;
                }
                PersistentRepr repr = serialization.deserialize(iterator.value(), PersistentRepr.class).get();
                replayCallback.accept(repr);
                replayed++;
            }
            iterator.status();
            return Futures.successful(null);
        } catch (RocksDBException | RuntimeException e) {
            return Futures.failed(e);
        }
    }

    @Override
    public Future<Long> doAsyncReadHighestSequenceNr(String persistenceId, long fromSequenceNr) {
        try {
            return Futures.successful(readHighest(PluginSupport.prefix(persistenceId)));
        } catch (RocksDBException | RuntimeException e) {
            return Futures.failed(e);
        }
    }

    private long readHighest(byte[] prefix) throws RocksDBException {
        byte[] value = db.get(highest, prefix);
        return value == null ? 0L : PluginSupport.longAt(value, 0);
    }
}
