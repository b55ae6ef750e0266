package org.meshchain.persistence.pekko;

import com.typesafe.config.Config;
import java.util.Optional;
import org.apache.pekko.dispatch.Futures;
import org.apache.pekko.persistence.SelectedSnapshot;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.serialization.Snapshot;
import org.apache.pekko.persistence.snapshot.japi.SnapshotStore;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import scala.concurrent.Future;

/**
 * Pekko Persistence snapshot store on RocksDB, synced writes. Key: {@code pid-prefix || seqNr ||
 * timestamp}, value: the snapshot serialized through Pekko serialization. Loading walks from the
 * newest candidate down and, like Pekko's local store, falls back to an older snapshot when the
 * newest cannot be deserialized.
 */
public final class RocksDbSnapshotStore extends SnapshotStore {

    private static final String PLUGIN = "meshchain.persistence.snapshot-store";

    private final Serialization serialization;
    private final int maxSnapshotBytes;
    private final Options options;
    private final WriteOptions syncWrites;
    private final RocksDB db;

    public RocksDbSnapshotStore(Config config) throws RocksDBException {
        this.serialization = SerializationExtension.get(context().system());
        this.maxSnapshotBytes = PluginSupport.positiveBytes(config, "max-snapshot-bytes", PLUGIN);
        String path = PluginSupport.directory(config, PLUGIN).toString();
        this.options = new Options().setCreateIfMissing(true);
        this.syncWrites = new WriteOptions().setSync(true);
        try {
            this.db = RocksDB.open(options, path);
        } catch (RocksDBException e) {
            syncWrites.close();
            options.close();
            throw e;
        }
    }

    @Override
    public void postStop() {
        db.close();
        syncWrites.close();
        options.close();
    }

    private static boolean matches(SnapshotSelectionCriteria criteria, long sequenceNr, long timestamp) {
        return sequenceNr >= criteria.minSequenceNr() && sequenceNr <= criteria.maxSequenceNr()
                && timestamp >= criteria.minTimestamp() && timestamp <= criteria.maxTimestamp();
    }

    @Override
    public Future<Optional<SelectedSnapshot>> doLoadAsync(String persistenceId, SnapshotSelectionCriteria criteria) {
        byte[] prefix = PluginSupport.prefix(persistenceId);
        Exception lastFailure = null;
        try (RocksIterator iterator = db.newIterator()) {
            for (iterator.seekForPrev(PluginSupport.key(prefix, criteria.maxSequenceNr(), Long.MAX_VALUE));
                    iterator.isValid(); iterator.prev()) {
                byte[] key = iterator.key();
                if (!PluginSupport.hasPrefix(key, prefix)) {
                    break;
                }
                long sequenceNr = PluginSupport.longAt(key, prefix.length);
                long timestamp = PluginSupport.longAt(key, prefix.length + 8);
                if (sequenceNr < criteria.minSequenceNr()) {
                    break;
                }
                if (!matches(criteria, sequenceNr, timestamp)) {
                    continue;
                }
                scala.util.Try<Snapshot> snapshot = serialization.deserialize(iterator.value(), Snapshot.class);
                if (snapshot.isSuccess()) {
                    return Futures.successful(Optional.of(SelectedSnapshot.create(
                            SnapshotMetadata.apply(persistenceId, sequenceNr, timestamp), snapshot.get().data())));
                }
                Throwable cause = snapshot.failed().get();
                lastFailure = cause instanceof Exception e ? e : new IllegalStateException(cause);
                context().system().log().warning("snapshot {}@{} cannot be deserialized, trying an older one: {}",
                        persistenceId, sequenceNr, cause.toString());
            }
        }
        return lastFailure == null ? Futures.successful(Optional.empty()) : Futures.failed(lastFailure);
    }

    @Override
    public Future<Void> doSaveAsync(SnapshotMetadata metadata, Object snapshot) {
        scala.util.Try<byte[]> bytes = serialization.serialize(new Snapshot(snapshot));
        if (bytes.isFailure()) {
            return Futures.failed(bytes.failed().get());
        }
        if (bytes.get().length > maxSnapshotBytes) {
            return Futures.failed(new IllegalArgumentException("snapshot of " + bytes.get().length + " bytes for "
                    + metadata.persistenceId() + " exceeds " + PLUGIN + ".max-snapshot-bytes = " + maxSnapshotBytes));
        }
        try {
            byte[] key = PluginSupport.key(PluginSupport.prefix(metadata.persistenceId()),
                    metadata.sequenceNr(), metadata.timestamp());
            db.put(syncWrites, key, bytes.get());
            return Futures.successful(null);
        } catch (RocksDBException | RuntimeException e) {
            return Futures.failed(e);
        }
    }

    @Override
    public Future<Void> doDeleteAsync(SnapshotMetadata metadata) {
        // timestamp 0 means "any timestamp" in Pekko's delete-by-metadata
        SnapshotSelectionCriteria exact = SnapshotSelectionCriteria.create(metadata.sequenceNr(),
                metadata.timestamp() == 0 ? Long.MAX_VALUE : metadata.timestamp(), metadata.sequenceNr(),
                metadata.timestamp() == 0 ? 0 : metadata.timestamp());
        return doDeleteAsync(metadata.persistenceId(), exact);
    }

    @Override
    public Future<Void> doDeleteAsync(String persistenceId, SnapshotSelectionCriteria criteria) {
        byte[] prefix = PluginSupport.prefix(persistenceId);
        try (RocksIterator iterator = db.newIterator(); WriteBatch batch = new WriteBatch()) {
            for (iterator.seek(PluginSupport.key(prefix, criteria.minSequenceNr(), 0)); iterator.isValid(); iterator.next()) {
                byte[] key = iterator.key();
                if (!PluginSupport.hasPrefix(key, prefix)) {
                    break;
                }
                long sequenceNr = PluginSupport.longAt(key, prefix.length);
                if (sequenceNr > criteria.maxSequenceNr()) {
                    break;
                }
                if (matches(criteria, sequenceNr, PluginSupport.longAt(key, prefix.length + 8))) {
                    batch.delete(key);
                }
            }
            db.write(syncWrites, batch);
            return Futures.successful(null);
        } catch (RocksDBException | RuntimeException e) {
            return Futures.failed(e);
        }
    }
}
