package io.jvirt.apiserver.handler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.apiserver.http.ApiException;
import io.jvirt.apiserver.http.Codec;
import io.jvirt.apiserver.resources.ResourceType;
import io.jvirt.apiserver.table.IncludeObject;
import io.jvirt.apiserver.table.TableRenderer;
import io.jvirt.store.ObjectStore;
import io.jvirt.store.StoreException;
import io.jvirt.store.Watch;
import io.jvirt.store.WatchEnd;
import io.jvirt.store.WatchEvent;
import io.jvirt.store.WatchListener;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

/**
 * One client watch: store events filtered by selectors (an object that stops matching is reported
 * DELETED, one that starts matching ADDED, as the apiserver's watch cache does) and rendered as Kubernetes watch events
 * ({@code {"type":..,"object":..}}, optionally as Table rows), BOOKMARKs when allowed, an ERROR event
 * with a 410 Expired Status for a compacted start, and a clean end after {@code timeoutSeconds}.
 * Thread-safe; ends exactly once.
 */
public final class WatchSession implements WatchListener {
    private static final ScheduledExecutorService TIMERS = Executors.newScheduledThreadPool(1, r -> {
        Thread t = new Thread(r, "jvirt-watch-timers");
        t.setDaemon(true);
        return t;
    });

    /**
     * What the client asked for; {@code filter} null = every object; {@code include} what Table rows
     * carry (when {@code table}); {@code bookmarks} null = none, else their interval.
     */
    public record Request(ResourceType type, String namespace, long fromRv, Predicate<JsonNode> filter, boolean table, IncludeObject include,
                          java.time.Duration bookmarks, long timeoutSeconds) {}

    private final Request request;
    private final WatchSink sink;
    private final Clock clock;
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile Watch watch;
    private volatile boolean columnsSent;
    /** Keys of objects this filtered watch has reported as matching (to report DELETED when they stop matching). */
    private final java.util.Set<String> matching = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private ScheduledFuture<?> timeout;
    private ScheduledFuture<?> bookmark;

    private WatchSession(Request request, WatchSink sink, Clock clock) {
        this.request = request;
        this.sink = sink;
        this.clock = clock;
    }

    /** Starts a watch writing to {@code sink}. Never throws for a compacted start: that is an in-stream ERROR. */
    public static WatchSession start(ObjectStore store, Request request, WatchSink sink, Clock clock) {
        WatchSession s = new WatchSession(request, sink, clock);
        sink.onClose(s::stop);
        try {
            if (request.filter() != null && request.fromRv() > 0) {
                for (var o : store.list(request.type().keyPrefix(request.namespace()),
                        io.jvirt.store.ListOptions.ALL.withFilter(x -> request.filter().test(ObjectService.parse(x)))).items()) {
                    s.matching.add(o.key().path());
                }
            }
            s.watch = store.watch(request.type().keyPrefix(request.namespace()), request.fromRv(), s);
            if (s.ended.get()) s.watch.close();
        } catch (StoreException.Expired e) {
            ObjectNode ev = Codec.NODES.objectNode().put("type", "ERROR");
            ev.set("object", ApiException.expired(e.requested(), e.oldestAvailable()).toStatus());
            sink.send(ev.toString());
            s.finish();
            return s;
        }
        s.timeout = TIMERS.schedule(s::finish, request.timeoutSeconds(), TimeUnit.SECONDS);
        if (request.bookmarks() != null) {
            long ms = Math.max(100, request.bookmarks().toMillis());
            s.bookmark = TIMERS.scheduleAtFixedRate(s::sendBookmark, ms, ms, TimeUnit.MILLISECONDS);
        }
        return s;
    }

    @Override
    public void onEvent(WatchEvent event) {
        if (ended.get()) return;
        ObjectNode object = ObjectService.present(request.type(), event.object());
        String type = event.type().name();
        if (request.filter() != null) {
            String key = event.object().key().path();
            if (!request.filter().test(object)) {
                if (!matching.remove(key) || event.type() == WatchEvent.Type.DELETED) return;
                type = "DELETED";
            } else if (event.type() == WatchEvent.Type.DELETED) {
                matching.remove(key);
            } else if (matching.add(key) && event.type() == WatchEvent.Type.MODIFIED) {
                type = "ADDED";
            }
        }
        ObjectNode ev = Codec.NODES.objectNode().put("type", type);
        if (request.table()) {
            ObjectNode t = TableRenderer.table(request.type(), List.of(object), !columnsSent, request.include(), clock.instant());
            t.withObjectProperty("metadata").put("resourceVersion", Long.toString(event.resourceVersion()));
            columnsSent = true;
            ev.set("object", t);
        } else {
            ev.set("object", object);
        }
        if (!sink.send(ev.toString())) finish();
    }

    private void sendBookmark() {
        Watch w = watch;
        if (w == null || ended.get()) return;
        ObjectNode ev = Codec.NODES.objectNode().put("type", "BOOKMARK");
        ObjectNode o = ev.putObject("object").put("kind", request.type().kind()).put("apiVersion", request.type().apiVersion());
        o.putObject("metadata").put("resourceVersion", Long.toString(w.progressResourceVersion()));
        if (!sink.send(ev.toString())) finish();
    }

    @Override
    public void onEnd(WatchEnd reason) {
        finish();
    }

    private void stop() {
        if (ended.compareAndSet(false, true)) cleanup();
    }

    private void finish() {
        if (!ended.compareAndSet(false, true)) return;
        cleanup();
        sink.end();
    }

    private void cleanup() {
        if (timeout != null) timeout.cancel(false);
        if (bookmark != null) bookmark.cancel(false);
        Watch w = watch;
        if (w != null) w.close();
    }
}
