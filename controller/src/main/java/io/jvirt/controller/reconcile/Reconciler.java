package io.jvirt.controller.reconcile;

/**
 * The one controller shape: the loop hands a {@link Key}; {@code reconcile} reads the object and its
 * dependants from informer caches, makes the world match the spec (creates/deletes dependants), and
 * ends with {@code updateStatus} when the observed status changed.
 *
 * <p>Contract: idempotent (called again with the same state it changes nothing), never called
 * concurrently for the same key, and an exception means "retry later with backoff" (for example a
 * 409 Conflict on a stale resourceVersion).
 */
@FunctionalInterface
public interface Reconciler {
    Outcome reconcile(Key key) throws Exception;
}
