/**
 * The durable object store under the embedded API server.
 *
 * <p>{@link io.jvirt.store.ObjectStore} is the contract; {@code SqliteStore.open(StoreConfig)} the
 * implementation: SQLite in WAL mode with {@code synchronous=FULL} holds the objects and a bounded event
 * log under one global resourceVersion; all objects and the retained log are also held in memory, so reads
 * and watch replay never touch the disk and live watch events are fanned out from memory.
 */
package io.jvirt.store;
