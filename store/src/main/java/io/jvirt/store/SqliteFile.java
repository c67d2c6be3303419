package io.jvirt.store;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The SQLite file behind a {@link SqliteStore}: one connection, WAL journal, {@code synchronous=FULL}
 * (a commit returns after the WAL is fsync'ed). Not thread-safe: the store calls it under its write lock.
 *
 * <p>Schema: {@code objects(key, rv, data)}, {@code events(rv, type, key, data)} and
 * {@code meta(name, value)} holding {@code compacted} (the highest resourceVersion dropped from the event
 * log). The current resourceVersion is the highest event's: every write appends an event and compaction
 * always keeps the newest one.
 *
 * <p>The database and its {@code -wal} and {@code -shm} files are private to the owner (0600), and a directory
 * created for them is 0700: the objects hold Secrets and cloud-init user data.
 *
 * <p>After a failed {@link #commit} or {@link #compact} the connection's transaction state is not trusted
 * (SQLite may have rolled the transaction back itself, after which the driver runs statements in autocommit
 * mode): the store {@link #close() closes} this file and opens a new one.
 */
final class SqliteFile implements AutoCloseable {

    private static final int SCHEMA_VERSION = 1;
    /** SQLite's primary result code {@code SQLITE_FULL}: "database or disk is full". */
    private static final int SQLITE_FULL = 13;
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");

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

    /**
     * Opens (creating if needed) the database at {@code path}, private to the owner (see the class comment).
     *
     * @throws StoreException.StorageFailure if it cannot be opened or is not a store ({@link
     *         StoreException.StorageFull} when the disk is full)
     */
    static SqliteFile open(Path path) {
        try {
            Path database = path.toAbsolutePath();
            Path parent = database.getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                Files.createDirectories(parent);
                Files.setPosixFilePermissions(parent, OWNER_ONLY_DIR);
            }
            restrictToOwner(database);
            Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database);
            try {
                configure(connection);
                return new SqliteFile(connection);
            } catch (SQLException | RuntimeException e) {
                connection.close();
                throw e;
            }
        } catch (SQLException | IOException e) {
            throw failure("cannot open store database " + path, e);
        }
    }

    /**
     * Creates the database file 0600 if missing (SQLite then gives its {@code -wal} and {@code -shm} files the
     * same mode), and sets 0600 on those that exist (installs made before the files were private).
     */
    private static void restrictToOwner(Path database) throws IOException {
        if (Files.isDirectory(database)) {
            throw new IOException("is a directory, not a database file");
        }
        try {
            Files.createFile(database, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (FileAlreadyExistsException existing) {
            Files.setPosixFilePermissions(database, OWNER_ONLY);
        }
        for (String suffix : List.of("-wal", "-shm")) {
            Path companion = database.resolveSibling(database.getFileName() + suffix);
            if (Files.exists(companion)) {
                Files.setPosixFilePermissions(companion, OWNER_ONLY);
            }
        }
    }

    /**
     * {@code what} failed because of {@code cause}: {@link StoreException.StorageFull} if the disk is full,
     * else {@link StoreException.StorageFailure}; the message ends with the cause's.
     */
    static StoreException.StorageFailure failure(String what, Exception cause) {
        String message = what + ": " + cause.getMessage();
        return isDiskFull(cause)
                ? new StoreException.StorageFull(message, cause)
                : new StoreException.StorageFailure(message, cause);
    }

    private static boolean isDiskFull(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && (sql.getErrorCode() & 0xff) == SQLITE_FULL) {
                return true;
            }
            if (t instanceof IOException && String.valueOf(t.getMessage()).contains("No space left on device")) {
                return true;
            }
        }
        return false;
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
        loadEventsAfter(0, sink);
    }

    /** Calls {@code sink} with every retained event after {@code resourceVersion}, oldest first. */
    void loadEventsAfter(long resourceVersion, Consumer<WatchEvent> sink) {
        query("SELECT rv, type, key, data FROM events WHERE rv > " + resourceVersion + " ORDER BY rv", rs -> sink.accept(new WatchEvent(
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
            throw failure("write of " + events.size() + " change(s) failed", e);
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
            throw failure("event log compaction failed", e);
        }
    }

    /** Rolls back whatever transaction the connection may still hold, ignoring every error (before a reopen). */
    void rollbackQuietly() {
        try {
            connection.rollback();
        } catch (SQLException ignored) {
            // no transaction, or a closed connection: nothing held
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
            throw failure("read failed (" + sql + ")", e);
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
            throw failure("closing the store database failed", e);
        }
    }
}
