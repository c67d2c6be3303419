package io.jvirt.store;

import java.util.Objects;
import java.util.function.Predicate;

/**
 * How to page and filter a {@link ObjectStore#list list}.
 *
 * @param limit         at most this many items per page; {@code 0} = all
 * @param continueToken {@code null} for the first page, else {@link ListResult#continueToken()} of the
 *                      previous page (opaque)
 * @param filter        items failing it are skipped and do not count against {@code limit} (e.g. a label
 *                      selector); called while the store's read lock is held, so it must be fast and
 *                      must not call back into the store
 */
public record ListOptions(int limit, String continueToken, Predicate<StoredObject> filter) {

    /** Everything, one page, no filter. */
    public static final ListOptions ALL = new ListOptions(0, null, o -> true);

    public ListOptions {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0: " + limit);
        }
        Objects.requireNonNull(filter, "filter");
    }

    /** A page of at most {@code limit} items after {@code continueToken} (may be {@code null}). */
    public static ListOptions page(int limit, String continueToken) {
        return new ListOptions(limit, continueToken, o -> true);
    }

    /** The same paging with another filter. */
    public ListOptions withFilter(Predicate<StoredObject> newFilter) {
        return new ListOptions(limit, continueToken, newFilter);
    }
}
