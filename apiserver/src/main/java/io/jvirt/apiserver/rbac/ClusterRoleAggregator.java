package io.jvirt.apiserver.rbac;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.apiserver.handler.ObjectService;
import io.jvirt.apiserver.handler.WriteOptions;
import io.jvirt.apiserver.http.ApiException;
import io.jvirt.apiserver.http.Codec;
import io.jvirt.apiserver.resources.ResourceType;
import io.jvirt.apiserver.selection.LabelSelector;
import io.jvirt.store.Watch;
import io.jvirt.store.WatchEnd;
import io.jvirt.store.WatchEvent;
import io.jvirt.store.WatchListener;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Kubernetes' ClusterRole aggregation controller: a ClusterRole with an {@code aggregationRule} gets as its
 * {@code rules} the rules of every other ClusterRole that one of its {@code clusterRoleSelectors} selects
 * (in name order, each rule once). Runs once at {@link #start} and again after every ClusterRole change, on
 * one background thread; writes only when the rules differ, so its own writes settle. Thread-safe.
 */
public final class ClusterRoleAggregator implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ClusterRoleAggregator.class.getName());
    private static final WriteOptions AGGREGATOR = WriteOptions.internal("clusterrole-aggregation-controller");

    private final ObjectService service;
    private final ResourceType clusterRoles;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "jvirt-clusterrole-aggregation");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean queued = new AtomicBoolean();
    private volatile Watch watch;

    public ClusterRoleAggregator(ObjectService service) {
        this.service = service;
        this.clusterRoles = service.registry().find(BootstrapPolicy.GROUP, "v1", "clusterroles").orElseThrow();
    }

    /** Aggregates now (so the bootstrap roles are complete before the server serves), then follows changes. */
    public ClusterRoleAggregator start() {
        aggregateAll();
        follow();
        return this;
    }

    private void follow() {
        if (worker.isShutdown()) return;
        watch = service.store().watch(clusterRoles.keyPrefix(null), service.store().currentResourceVersion(), new WatchListener() {
            @Override
            public void onEvent(WatchEvent event) {
                schedule();
            }

            @Override
            public void onEnd(WatchEnd reason) {
                if (reason instanceof WatchEnd.Cancelled || reason instanceof WatchEnd.StoreClosed) return;
                schedule();
                follow();
            }
        });
    }

    private void schedule() {
        if (worker.isShutdown() || !queued.compareAndSet(false, true)) return;
        worker.execute(() -> {
            queued.set(false);
            try {
                aggregateAll();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "ClusterRole aggregation failed; retried at the next ClusterRole change", e);
            }
        });
    }

    /** One pass over every aggregated ClusterRole. Idempotent. */
    synchronized void aggregateAll() {
        ObjectNode list = service.list(clusterRoles, null, o -> true, 0, null);
        List<JsonNode> all = new ArrayList<>();
        list.path("items").forEach(all::add);
        all.sort(Comparator.comparing(o -> o.path("metadata").path("name").asText()));
        for (JsonNode role : all) {
            JsonNode selectors = role.path("aggregationRule").path("clusterRoleSelectors");
            if (!selectors.isArray() || selectors.isEmpty()) continue;
            List<LabelSelector> parsed = new ArrayList<>();
            for (JsonNode s : selectors) parsed.add(LabelSelector.parse(selectorText(s)));
            List<PolicyRule> rules = new ArrayList<>();
            String name = role.path("metadata").path("name").asText();
            for (JsonNode other : all) {
                if (other.path("metadata").path("name").asText().equals(name)) continue;
                if (parsed.stream().noneMatch(sel -> sel.test(other))) continue;
                for (PolicyRule r : PolicyRule.parseAll(other.path("rules"))) {
                    if (!rules.contains(r)) rules.add(r);
                }
            }
            if (rules.equals(PolicyRule.parseAll(role.path("rules")))) continue;
            ObjectNode patch = Codec.NODES.objectNode();
            ArrayNode a = patch.putArray("rules");
            rules.forEach(r -> a.add(r.toJson()));
            try {
                service.patch(clusterRoles, null, name, null, "application/merge-patch+json", Codec.toJson(patch), AGGREGATOR);
            } catch (ApiException e) {
                if (e.code() != 404) throw e;
            }
        }
    }

    /** A metav1.LabelSelector object as the selector text {@link LabelSelector#parse} reads. */
    static String selectorText(JsonNode selector) {
        List<String> parts = new ArrayList<>();
        selector.path("matchLabels").fields().forEachRemaining(e -> parts.add(e.getKey() + "=" + e.getValue().asText()));
        for (JsonNode e : selector.path("matchExpressions")) {
            String key = e.path("key").asText();
            List<String> values = new ArrayList<>();
            e.path("values").forEach(v -> values.add(v.asText()));
            switch (e.path("operator").asText()) {
                case "In" -> parts.add(key + " in (" + String.join(",", values) + ")");
                case "NotIn" -> parts.add(key + " notin (" + String.join(",", values) + ")");
                case "Exists" -> parts.add(key);
                case "DoesNotExist" -> parts.add("!" + key);
                default -> throw new IllegalArgumentException("unknown label selector operator " + e.path("operator").asText());
            }
        }
        return String.join(",", parts);
    }

    @Override
    public void close() {
        worker.shutdownNow();
        Watch w = watch;
        if (w != null) w.close();
    }
}
