package io.jvirt.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The SQLite file behind a {@link SqliteStore}: one connection, WAL journal, {@code synchronous=FULL}
 * (a commit returns after the WAL is fsync'ed). Not thread-safe: the store calls it under its write lock.
 *
 * <p>Schema: {@code objects(key, rv, data)}, {@code events(rv, type, key, data)} and
 * {@code meta(name, value)} holding {@code compacted} (the highest resourceVersion dropped from the event
 * log). The current resourceVersion is the highest event's: every write appends an event and compaction
 * always keeps the newest one.
 */
final class SqliteFile implements AutoCloseable {

    private static final int SCHEMA_VERSION = 1;

    private final Connection connection;
    private final PreparedStatement upsertObject;
    private final PreparedStatement deleteObject;
    private final PreparedStatement insertEvent;

    private SqliteFile(Connection connection) throws SQLException {
        this.connection = connection;
        this.upsertObject = connection.prepareStatement(
                "INSERT INTO objects(key, rv, data) VALUES (?, ?, ?)"
                        + " ON CONFLICT(key) DO UPDATE SET rv = excluded.rv, data = excluded.data");
        this.deleteObject = connection.prepareStatement("DELETE FROM objects WHERE key = ?");
        this.insertEvent = connection.prepareStatement("INSERT INTO events(rv, type, key, data) VALUES (?, ?, ?, ?)");
    }

    /** Opens (creating if needed) the database at {@code path}. */
    static SqliteFile open(Path path) {
        try {
            Path parent = path.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Connection connection = DriverManager.getConnection("jdbc:sqlite:" + path.toAbsolutePath());
            try {
                configure(connection);
                return new SqliteFile(connection);
            } catch (SQLException | RuntimeException e) {
                connection.close();
                throw e;
            }
        } catch (SQLException | IOException e) {
            throw new StoreException.StorageFailure("cannot open store database " + path + ": " + e.getMessage(), e);
        }
    }

    private static void configure(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement()) {
            try (ResultSet mode = s.executeQuery("PRAGMA journal_mode=WAL")) {
                if (!mode.next() || !"wal".equalsIgnoreCase(mode.getString(1))) {
                    throw new SQLException("SQLite refused WAL journal mode");
                }
            }
            s.execute("PRAGMA synchronous=FULL");
            s.execute("PRAGMA foreign_keys=OFF");
            s.execute("CREATE TABLE IF NOT EXISTS objects(key TEXT PRIMARY KEY, rv INTEGER NOT NULL, data BLOB NOT NULL) WITHOUT ROWID");
            s.execute("CREATE TABLE IF NOT EXISTS events(rv INTEGER PRIMARY KEY, type INTEGER NOT NULL, key TEXT NOT NULL, data BLOB NOT NULL)");
            s.execute("CREATE TABLE IF NOT EXISTS meta(name TEXT PRIMARY KEY, value INTEGER NOT NULL)");
            s.execute("INSERT OR IGNORE INTO meta(name, value) VALUES ('schema', " + SCHEMA_VERSION + ")");
            s.execute("INSERT OR IGNORE INTO meta(name, value) VALUES ('compacted', 0)");
            try (ResultSet schema = s.executeQuery("SELECT value FROM meta WHERE name = 'schema'")) {
                if (!schema.next() || schema.getInt(1) != SCHEMA_VERSION) {
                    throw new SQLException("unknown store schema version");
                }
            }
        }
        connection.setAutoCommit(false);
        connection.commit();
    }

    /** Calls {@code sink} with every stored object. */
    void loadObjects(Consumer<StoredObject> sink) {
        query("SELECT key, rv, data FROM objects ORDER BY key", rs -> sink.accept(
                new StoredObject(ObjectKey.parse(rs.getString(1)), rs.getLong(2), rs.getBytes(3))));
    }

    /** Calls {@code sink} with every retained event, oldest first. */
    void loadEvents(Consumer<WatchEvent> sink) {
        query("SELECT rv, type, key, data FROM events ORDER BY rv", rs -> sink.accept(new WatchEvent(
                WatchEvent.Type.values()[rs.getInt(2)],
                new StoredObject(ObjectKey.parse(rs.getString(3)), rs.getLong(1), rs.getBytes(4)))));
    }

    /** The highest resourceVersion dropped from the event log (0 if none). */
    long compactedResourceVersion() {
        long[] value = {0};
        query("SELECT value FROM meta WHERE name = 'compacted'", rs -> value[0] = rs.getLong(1));
        return value[0];
    }

    /**
     * Writes {@code events} (and the object changes they describe) in one durable transaction: on return
     * the WAL is fsync'ed. On failure nothing is written and {@link StoreException.StorageFailure} is thrown.
     */
    void commit(List<WatchEvent> events) {
        try {
            for (WatchEvent event : events) {
                write(event);
            }
            connection.commit();
        } catch (SQLException e) {
            rollback(e);
            throw new StoreException.StorageFailure("write of " + events.size() + " change(s) failed: " + e.getMessage(), e);
        }
    }

    private void write(WatchEvent event) throws SQLException {
        StoredObject object = event.object();
        if (event.type() == WatchEvent.Type.DELETED) {
            deleteObject.setString(1, object.key().path());
            deleteObject.executeUpdate();
        } else {
            upsertObject.setString(1, object.key().path());
            upsertObject.setLong(2, object.resourceVersion());
            upsertObject.setBytes(3, object.json());
            upsertObject.executeUpdate();
        }
        insertEvent.setLong(1, object.resourceVersion());
        insertEvent.setInt(2, event.type().ordinal());
        insertEvent.setString(3, object.key().path());
        insertEvent.setBytes(4, object.json());
        insertEvent.executeUpdate();
    }

    /** Durably drops every event with resourceVersion {@code <= through} and records {@code through}. */
    void compact(long through) {
        try (PreparedStatement drop = connection.prepareStatement("DELETE FROM events WHERE rv <= ?");
             PreparedStatement mark = connection.prepareStatement("UPDATE meta SET value = ? WHERE name = 'compacted'")) {
            drop.setLong(1, through);
            drop.executeUpdate();
            mark.setLong(1, through);
            mark.executeUpdate();
            connection.commit();
        } catch (SQLException e) {
            rollback(e);
            throw new StoreException.StorageFailure("event log compaction failed: " + e.getMessage(), e);
        }
    }

    private void rollback(SQLException cause) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    private interface RowReader {
        void read(ResultSet rs) throws SQLException;
    }

    private void query(String sql, RowReader reader) {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                reader.read(rs);
            }
            connection.commit();
        } catch (SQLException e) {
            throw new StoreException.StorageFailure("read failed (" + sql + "): " + e.getMessage(), e);
        }
    }

    /** Lists the statement of every PRAGMA the store depends on with its current value (for tests). */
    List<String> pragmas() {
        List<String> values = new ArrayList<>();
        query("PRAGMA journal_mode", rs -> values.add("journal_mode=" + rs.getString(1)));
        query("PRAGMA synchronous", rs -> values.add("synchronous=" + rs.getInt(1)));
        return values;
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            throw new StoreException.StorageFailure("closing the store database failed: " + e.getMessage(), e);
        }
    }
}
