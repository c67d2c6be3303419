package io.jvirt.store;

import java.util.List;

/**
 * One page of a list.
 *
 * @param items           objects in key order
 * @param resourceVersion the list's resourceVersion: for a first page, the store's resourceVersion at
 *                        the moment of the read (a watch from it misses nothing); for continued pages the
 *                        first page's, carried in the token. Continued pages are read at the time of
 *                        their request, not as a snapshot: an object changed after the first page may
 *                        show a newer state than {@code resourceVersion}; a watch from
 *                        {@code resourceVersion} then still reports every change, some twice.
 * @param continueToken   opaque token for the next page, or {@code null} when this is the last page
 */
public record ListResult(List<StoredObject> items, long resourceVersion, String continueToken) {

    public ListResult {
        items = List.copyOf(items);
    }
}
