package io.jvirt.handler.service;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.jvirt.network.service.ServiceTable;
import io.jvirt.network.service.VirtualService;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The embedded cluster's service proxy (kube-proxy's job), one per node agent: informers on Services and EndpointSlices;
 * after any change the whole {@link ServicePlan} is computed and, when it differs from the one applied, the agent's
 * one nftables table is replaced ({@link ServiceTable}). {@link #start} first replaces the table a previous agent
 * left (also after {@code kill -9}) with an empty one, which already rejects the whole service CIDR locally (no
 * packet for a cluster IP leaves the host while the Services are read); {@link #close} removes it. A failed apply is retried 5 s later. Changes are
 * coalesced: one reconcile at a time on one thread.
 */
public final class ServiceProxy implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ServiceProxy.class.getName());
    private final KubernetesClient client;
    private final ServiceTable table;
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform()
            .name("service-proxy").daemon().unstarted(r));
    private final AtomicBoolean queued = new AtomicBoolean();
    private SharedIndexInformer<Service> services;
    private SharedIndexInformer<EndpointSlice> slices;
    private List<VirtualService> applied;
    private volatile boolean closed;

    public ServiceProxy(KubernetesClient client, ServiceTable table) {
        this.client = client;
        this.table = table;
    }

    /** Sweeps the table (replaced by an empty one), then starts the informers; the first reconcile follows their lists. */
    public void start() throws IOException {
        table.apply(List.of());
        applied = List.of();
        ResourceEventHandler<Object> changed = new ResourceEventHandler<>() {
            @Override
            public void onAdd(Object o) {
                trigger();
            }

            @Override
            public void onUpdate(Object a, Object b) {
                trigger();
            }

            @Override
            public void onDelete(Object o, boolean unknown) {
                trigger();
            }
        };
        services = client.services().inAnyNamespace().inform(cast(changed));
        slices = client.discovery().v1().endpointSlices().inAnyNamespace().inform(cast(changed));
        trigger();
    }

    @SuppressWarnings("unchecked")
    private static <T> ResourceEventHandler<T> cast(ResourceEventHandler<Object> h) {
        return (ResourceEventHandler<T>) (ResourceEventHandler<?>) h;
    }

    private void trigger() {
        if (!closed && queued.compareAndSet(false, true)) worker.execute(this::reconcile);
    }

    private void reconcile() {
        queued.set(false);
        if (closed || !services.hasSynced() || !slices.hasSynced()) {
            if (!closed) worker.schedule(this::trigger, 200, TimeUnit.MILLISECONDS);
            return;
        }
        List<VirtualService> plan = ServicePlan.of(services.getStore().list(), slices.getStore().list());
        if (plan.equals(applied)) return;
        try {
            table.apply(plan);
            applied = plan;
            LOG.log(System.Logger.Level.DEBUG, "service proxy: " + plan.size() + " service ports in " + table.name());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "service proxy: applying " + table.name() + " failed, again in 5 s: " + e.getMessage());
            worker.schedule(this::trigger, 5, TimeUnit.SECONDS);
        }
    }

    /** Stops watching and removes the table. */
    @Override
    public void close() {
        closed = true;
        if (services != null) services.close();
        if (slices != null) slices.close();
        worker.shutdown();
        try {
            worker.awaitTermination(10, TimeUnit.SECONDS);
            table.remove();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "service proxy: removing " + table.name() + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
