package io.jvirt.store;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of a {@link SqliteStore}.
 *
 * @param database           the SQLite file (created with its directory if missing); the WAL and shared
 *                           memory files live beside it
 * @param eventLogRetention  compaction keeps at least this many newest events (>= 1)
 * @param compactionInterval how often the background compactor runs; {@link Duration#ZERO} = never
 *                           (then only {@link ObjectStore#compact()} compacts)
 * @param watchQueueLimit    events a watch may have undelivered before it ends with
 *                           {@link WatchEnd.Overflowed} (>= 1)
 */
public record StoreConfig(Path database, int eventLogRetention, Duration compactionInterval, int watchQueueLimit) {

    /** Defaults: keep 10,000 events, compact every 10 s, 10,000 queued events per watch. */
    public static StoreConfig defaults(Path database) {
        return new StoreConfig(database, 10_000, Duration.ofSeconds(10), 10_000);
    }

    public StoreConfig {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(compactionInterval, "compactionInterval");
        if (eventLogRetention < 1) {
            throw new IllegalArgumentException("eventLogRetention must be >= 1: " + eventLogRetention);
        }
        if (watchQueueLimit < 1) {
            throw new IllegalArgumentException("watchQueueLimit must be >= 1: " + watchQueueLimit);
        }
        if (compactionInterval.isNegative()) {
            throw new IllegalArgumentException("compactionInterval must not be negative");
        }
    }

    public StoreConfig withEventLogRetention(int events) {
        return new StoreConfig(database, events, compactionInterval, watchQueueLimit);
    }

    public StoreConfig withCompactionInterval(Duration interval) {
        return new StoreConfig(database, eventLogRetention, interval, watchQueueLimit);
    }

    public StoreConfig withWatchQueueLimit(int events) {
        return new StoreConfig(database, eventLogRetention, compactionInterval, events);
    }
}
