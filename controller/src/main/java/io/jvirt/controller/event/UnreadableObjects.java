package io.jvirt.controller.event;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.jvirt.api.meta.TolerantReading;
import io.jvirt.controller.resource.TolerantResource;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Objects the controllers could read only in part ({@link TolerantReading}): {@link #reason} says why,
 * {@link #report} says it once per object and problem — a WARNING log line and a Warning event
 * {@value #EVENT_REASON} on the object naming the field and the problem — so a bad object is visible
 * in {@code kubectl describe} while every other object is handled as usual. Thread-safe.
 */
public final class UnreadableObjects {
    public static final String EVENT_REASON = "FailedRead";
    private static final System.Logger LOG = System.getLogger(UnreadableObjects.class.getName());
    private static final int REMEMBERED = 10_000;

    private final EventRecorder events;
    private final Set<String> reported = ConcurrentHashMap.newKeySet();

    public UnreadableObjects(EventRecorder events) {
        this.events = events;
    }

    /** Why {@code o} could not be read in full, or empty when it was. */
    public static Optional<String> reason(HasMetadata o) {
        if (o instanceof TolerantResource<?, ?> r) return r.unreadable();
        return Optional.ofNullable(extra(o).get(TolerantReading.UNREADABLE)).map(String::valueOf);
    }

    /** Whether the top-level field {@code field} of {@code o} was left out because it could not be read. */
    public static boolean leftOut(HasMetadata o, String field) {
        if (o instanceof TolerantResource<?, ?> r) return r.leftOut(field);
        Object fields = extra(o).get(TolerantReading.LEFT_OUT);
        return fields != null && Arrays.asList(String.valueOf(fields).split(",")).contains(field);
    }

    private static Map<String, Object> extra(HasMetadata o) {
        Map<String, Object> extra = o instanceof Pod p ? p.getAdditionalProperties() : o instanceof Node n ? n.getAdditionalProperties() : null;
        return extra == null ? Map.of() : extra;
    }

    /** Logs and records an event when {@code o} was read only in part, once per uid and reason; returns whether it was. */
    public boolean report(HasMetadata o) {
        Optional<String> why = reason(o);
        if (why.isEmpty()) return false;
        String version = o.getMetadata().getUid() + "/" + why.get(); // once per problem, not per status write
        if (reported.size() > REMEMBERED) reported.clear();
        if (!reported.add(version)) return true;
        String what = o.getKind() + " " + (o.getMetadata().getNamespace() == null ? "" : o.getMetadata().getNamespace() + "/") + o.getMetadata().getName();
        LOG.log(System.Logger.Level.WARNING, "cannot read " + what + ", handled as far as it can be read: " + why.get());
        events.record(o, EventRecorder.WARNING, EVENT_REASON, "cannot read this object: " + why.get());
        return true;
    }
}
