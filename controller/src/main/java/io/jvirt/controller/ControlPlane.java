package io.jvirt.controller;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jvirt.api.meta.TolerantReading;
import java.util.Set;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.jvirt.controller.event.EventRecorder;
import io.jvirt.controller.event.UnreadableObjects;
import io.jvirt.controller.kubevirt.KubeVirtController;
import io.jvirt.controller.reconcile.ControllerLoop;
import io.jvirt.controller.reconcile.Key;
import io.jvirt.controller.reconcile.RetryBackoff;
import io.jvirt.controller.reconcile.WorkQueue;
import io.jvirt.controller.replicaset.ReplicaSetController;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.jvirt.api.instancetype.SizeKind;
import io.jvirt.controller.instancetype.Sizing;
import io.jvirt.controller.kubevirt.CommonInstancetypesInstaller;
import io.jvirt.controller.pool.PoolController;
import io.jvirt.controller.resource.PoolResource;
import java.util.EnumMap;
import java.util.Map;
import io.jvirt.controller.resource.ReplicaSetResource;
import io.jvirt.controller.resource.VirtualMachineInstanceResource;
import io.jvirt.controller.resource.VirtualMachineResource;
import io.jvirt.controller.scheduler.Scheduler;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.jvirt.controller.datavolume.DataVolumeController;
import io.jvirt.controller.datavolume.UploadReceiver;
import io.jvirt.controller.datavolume.image.DiskImport;
import io.jvirt.controller.storage.ClaimUsers;
import io.jvirt.controller.storage.LocalPathProvisioner;
import io.jvirt.controller.storage.VolumeFiles;
import io.jvirt.qemu.img.QemuImg;
import java.nio.file.Path;
import io.jvirt.controller.service.EndpointPlan;
import io.jvirt.controller.service.EndpointsController;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.jvirt.controller.vm.CrashLoopBackoff;
import io.jvirt.controller.vm.VirtualMachineController;
import io.jvirt.controller.vmi.LauncherPod;
import io.jvirt.controller.vmi.VirtualMachineInstanceController;
import java.time.Clock;
import java.util.ArrayList;
import io.jvirt.registry.RegistryConfig;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * virt-controller's wiring: informers on the KubeVirt CR, VMs, VMIs, replica sets, pods, nodes, Services and their
 * endpoints; one {@link ControllerLoop} per controller (VM, VMI, replica set, endpoints, and the scheduler when asked); event
 * handlers that turn every change into the keys it concerns (a VMI change also wakes its owning VM
 * or replica set, a launcher pod change its VMI and its namespace's Services, a node change or a freed pod every
 * pending pod).
 * {@link #start} returns once every informer has synced; {@link #close} stops loops then informers.
 */
public final class ControlPlane implements AutoCloseable {
    /**
     * @param scheduler whether to run the embedded scheduler (not on a cluster that has its own)
     * @param workers worker threads per controller (the scheduler always has one)
     */
    /**
     * @param volumes where jvirt's local-path provisioner keeps volumes ({@code $JVIRT_HOME/volumes}), or null to run
     *     neither it nor the DataVolume controller (on a cluster that has its own storage and CDI)
     * @param registries the mirrors and plain-HTTP registries DataVolume {@code registry} sources are pulled with (the
     *     same settings as the node's containerDisk pulls)
     */
    public record Options(boolean scheduler, CrashLoopBackoff crashLoop, int workers, Path volumes, RegistryConfig registries) {
        public static final Options EMBEDDED = new Options(true, CrashLoopBackoff.DEFAULT, 4, null, RegistryConfig.DEFAULT);

        public Options(boolean scheduler, CrashLoopBackoff crashLoop, int workers) {
            this(scheduler, crashLoop, workers, null, RegistryConfig.DEFAULT);
        }

        public Options withVolumes(Path dir) {
            return new Options(scheduler, crashLoop, workers, dir, registries);
        }

        public Options withRegistries(RegistryConfig config) {
            return new Options(scheduler, crashLoop, workers, volumes, config);
        }
    }

    private static final System.Logger LOG = System.getLogger(ControlPlane.class.getName());
    /** The event reason of a reconcile that failed (the message says why and how often). */
    public static final String SYNC_FAILED = "SyncFailed";
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
    private final List<ControllerLoop> loops = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final List<KubernetesClient> clients = new ArrayList<>();
    private Scheduler scheduler;

    private ControlPlane() {}

    /** Starts the controllers and (per {@code options}) the scheduler, all with {@code client}'s identity. */
    public static ControlPlane start(KubernetesClient client, Options options, Clock clock) throws Exception {
        return start(client, client, options, clock);
    }

    /**
     * Starts the controllers with {@code client} and the scheduler (per {@code options}) with
     * {@code schedulerClient}, so each acts under its own identity: the scheduler's client reads nodes,
     * binds pods and records the scheduler's events; the pods it sees come from the controllers' informer.
     */
    public static ControlPlane start(KubernetesClient client, KubernetesClient schedulerClient, Options options, Clock clock) throws Exception {
        ControlPlane cp = new ControlPlane();
        try {
            KubernetesClient tolerant = cp.tolerant(client);
            cp.wire(tolerant, schedulerClient == client ? tolerant : cp.tolerant(schedulerClient), options, clock);
        } catch (Exception e) {
            cp.close();
            throw e;
        }
        return cp;
    }

    private void wire(KubernetesClient client, KubernetesClient schedulerClient, Options options, Clock clock) throws Exception {
        EventRecorder events = new EventRecorder(client, "virt-controller", clock);
        closeables.add(events);
        UnreadableObjects unreadable = new UnreadableObjects(events);
        SharedIndexInformer<VirtualMachineResource> vms = informer(client.resources(VirtualMachineResource.class).inAnyNamespace().runnableInformer(0));
        SharedIndexInformer<VirtualMachineInstanceResource> vmis = informer(client.resources(VirtualMachineInstanceResource.class).inAnyNamespace().runnableInformer(0));
        SharedIndexInformer<ReplicaSetResource> sets = informer(client.resources(ReplicaSetResource.class).inAnyNamespace().runnableInformer(0));
        SharedIndexInformer<PoolResource> pools = informer(client.resources(PoolResource.class).inAnyNamespace().runnableInformer(0));
        Map<SizeKind, SharedIndexInformer<GenericKubernetesResource>> sizes = new EnumMap<>(SizeKind.class);
        for (SizeKind kind : SizeKind.values()) {
            var resources = client.genericKubernetesResources(Sizing.context(kind));
            sizes.put(kind, informer(kind.clusterScoped() ? resources.runnableInformer(0) : resources.inAnyNamespace().runnableInformer(0)));
        }
        SharedIndexInformer<ControllerRevision> revisions = informer(client.apps().controllerRevisions().inAnyNamespace().runnableInformer(0));
        // The scheduler must see every pod (their requests use node capacity); without it only launcher pods matter.
        SharedIndexInformer<Pod> pods = informer(options.scheduler()
                ? client.pods().inAnyNamespace().runnableInformer(0)
                : client.pods().inAnyNamespace().withLabel(LauncherPod.APP_LABEL, LauncherPod.APP_VALUE).runnableInformer(0));

        try {
            KubeVirtController.ensureExists(client);
        } catch (KubernetesClientException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot create the KubeVirt CR kubevirt/kubevirt (KubeVirt's defaults apply): " + e.getMessage());
        }
        try {
            CommonInstancetypesInstaller.install(client);
        } catch (KubernetesClientException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot install the common instancetypes and preferences: " + e.getMessage());
        }
        SharedIndexInformer<GenericKubernetesResource> kubevirts = informer(client.genericKubernetesResources(KubeVirtController.KUBEVIRT)
                .inAnyNamespace().runnableInformer(0));
        KubeVirtController kubevirt = new KubeVirtController(client, kubevirts, clock);
        WorkQueue kvQueue = loop("kubevirt-controller", kubevirt, 1, kubevirts, events);
        kubevirts.addEventHandler(handler(unreadable, kv -> kvQueue.add(Key.of(kv))));
        SharedIndexInformer<PersistentVolumeClaim> claims = informer(client.persistentVolumeClaims().inAnyNamespace().runnableInformer(0));
        SharedIndexInformer<GenericKubernetesResource> dataVolumes = informer(client.genericKubernetesResources(DataVolumeController.DATA_VOLUME)
                .inAnyNamespace().runnableInformer(0));
        SharedIndexInformer<StorageClass> classes = informer(client.storage().v1().storageClasses().runnableInformer(0));
        WorkQueue vmQueue = loop("vm-controller", new VirtualMachineController(client, vms, vmis, events, clock, options.crashLoop(),
                dataVolumes, claims, new Sizing(client, sizes, revisions)), options.workers(), vms, events);
        dataVolumes.addEventHandler(handler(unreadable, dv -> {
            OwnerReference owner = controllerOf(dv);
            if (owner != null && "VirtualMachine".equals(owner.getKind())) vmQueue.add(new Key(dv.getMetadata().getNamespace(), owner.getName()));
        }));
        WorkQueue vmiQueue = loop("vmi-controller", new VirtualMachineInstanceController(client, vmis, pods, kubevirt, events, clock),
                options.workers(), vmis, events);
        WorkQueue rsQueue = loop("vmirs-controller", new ReplicaSetController(client, sets, events, clock), options.workers(), sets, events);
        WorkQueue poolQueue = loop("pool-controller", new PoolController(client, pools, events, new java.util.Random()), options.workers(), pools, events);
        WorkQueue schedQueue;
        SharedIndexInformer<Node> nodes = options.scheduler() ? informer(schedulerClient.nodes().runnableInformer(0)) : null;
        if (options.scheduler()) {
            EventRecorder schedulerEvents = new EventRecorder(schedulerClient, Scheduler.NAME, clock);
            closeables.add(schedulerEvents);
            scheduler = new Scheduler(schedulerClient, pods, nodes, schedulerEvents, clock);
            scheduler.bindVolumes(claims, classes);
            schedQueue = loop("scheduler", scheduler, 1, pods, schedulerEvents); // one at a time: each placement sees the previous ones
        } else {
            schedQueue = null;
        }
        Runnable allPending = () -> {
            if (schedQueue == null) return;
            pods.getIndexer().list().stream().filter(Scheduler::wants).forEach(p -> schedQueue.add(Key.of(p)));
        };

        vms.addEventHandler(handler(unreadable, vm -> {
            vmQueue.add(Key.of(vm));
            OwnerReference owner = controllerOf(vm);
            if (owner != null && "VirtualMachinePool".equals(owner.getKind())) poolQueue.add(new Key(vm.getMetadata().getNamespace(), owner.getName()));
        }));
        pools.addEventHandler(handler(unreadable, pool -> poolQueue.add(Key.of(pool))));
        // a VM waiting for its instancetype or preference (FailedFind...) starts once it appears
        sizes.values().forEach(i -> i.addEventHandler(handler(unreadable, size -> vms.getIndexer().list().stream()
                .filter(vm -> names(vm, size.getMetadata().getName())).forEach(vm -> vmQueue.add(Key.of(vm))))));
        sets.addEventHandler(handler(unreadable, rs -> rsQueue.add(Key.of(rs))));
        vmis.addEventHandler(handler(unreadable, vmi -> {
            vmiQueue.add(Key.of(vmi));
            OwnerReference owner = controllerOf(vmi);
            if (owner == null) return;
            Key ownerKey = new Key(vmi.getMetadata().getNamespace(), owner.getName());
            if ("VirtualMachine".equals(owner.getKind())) vmQueue.add(ownerKey);
            if ("VirtualMachineInstanceReplicaSet".equals(owner.getKind())) rsQueue.add(ownerKey);
        }));
        pods.addEventHandler(handler(unreadable, pod -> {
            var labels = pod.getMetadata().getLabels();
            if (labels != null && LauncherPod.APP_VALUE.equals(labels.get(LauncherPod.APP_LABEL)) && labels.get(LauncherPod.DOMAIN) != null) {
                vmiQueue.add(new Key(pod.getMetadata().getNamespace(), labels.get(LauncherPod.DOMAIN)));
            }
            if (schedQueue == null) return;
            if (Scheduler.wants(pod)) schedQueue.add(Key.of(pod));
            else allPending.run(); // a pod bound, ended or went away: capacity may have changed
        }));
        if (nodes != null) nodes.addEventHandler(handler(unreadable, n -> allPending.run()));
        if (options.volumes() != null) {
            wireStorage(client, options.volumes(), options.registries(), claims, classes, dataVolumes, pods, vmis, unreadable, events, clock,
                    options.workers());
        }

        SharedIndexInformer<Service> services = informer(client.services().inAnyNamespace().runnableInformer(0));
        SharedIndexInformer<EndpointSlice> slices = informer(client.discovery().v1().endpointSlices().inAnyNamespace()
                .withLabel(EndpointPlan.MANAGED_BY, EndpointPlan.MANAGER).runnableInformer(0));
        SharedIndexInformer<Endpoints> endpoints = informer(client.endpoints().inAnyNamespace().runnableInformer(0));
        WorkQueue epQueue = loop("endpoints-controller", new EndpointsController(client, services, pods, slices, endpoints),
                options.workers(), services, events);
        services.addEventHandler(handler(unreadable, svc -> epQueue.add(Key.of(svc))));
        pods.addEventHandler(handler(unreadable, pod -> services.getIndexer().byIndex(Cache.NAMESPACE_INDEX, pod.getMetadata().getNamespace())
                .stream().filter(EndpointPlan::selects).forEach(svc -> epQueue.add(Key.of(svc)))));
        slices.addEventHandler(handler(unreadable, slice -> {
            var labels = slice.getMetadata().getLabels();
            String svc = labels == null ? null : labels.get(EndpointPlan.SERVICE_NAME);
            if (svc != null) epQueue.add(new Key(slice.getMetadata().getNamespace(), svc));
        }));
        endpoints.addEventHandler(handler(unreadable, ep -> epQueue.add(Key.of(ep))));

        List<java.util.concurrent.CompletableFuture<Void>> synced = new ArrayList<>();
        for (SharedIndexInformer<?> i : informers) synced.add(i.start().toCompletableFuture());
        for (var f : synced) f.get(60, TimeUnit.SECONDS);
        for (ControllerLoop l : loops) l.start();
    }

    /**
     * The local-path provisioner (claims, volumes, pvc-protection) and the DataVolume controller, over volumes in
     * {@code dir}. A claim is looked at again when its PV, its DataVolume, or a pod or VMI naming it changes.
     */
    private void wireStorage(KubernetesClient client, Path dir, RegistryConfig registries, SharedIndexInformer<PersistentVolumeClaim> claims,
                             SharedIndexInformer<StorageClass> classes,
                             SharedIndexInformer<GenericKubernetesResource> dataVolumes, SharedIndexInformer<Pod> pods,
                             SharedIndexInformer<VirtualMachineInstanceResource> vmis, UnreadableObjects unreadable,
                             EventRecorder events, Clock clock, int workers) throws java.io.IOException {
        LocalPathProvisioner.ensureStorageClass(client);
        SharedIndexInformer<PersistentVolume> pvs = informer(client.persistentVolumes().runnableInformer(0));
        VolumeFiles files = new VolumeFiles(dir);
        WorkQueue claimQueue = loop("local-path-provisioner", new LocalPathProvisioner(client, claims, pvs, classes, new ClaimUsers(pods, vmis),
                files, events), workers, claims, events);
        DataVolumeController dvController = new DataVolumeController(client, dataVolumes, claims, pvs, classes, files,
                new DiskImport(new QemuImg(io.jvirt.qemu.img.Unprivileged.callerIsRoot() ? io.jvirt.qemu.img.Unprivileged.QEMU : null)), registries, events, clock);
        WorkQueue dvQueue = loop("datavolume-controller", dvController, workers, dataVolumes, events);
        dvController.onJobEnd(dvQueue::add);
        UploadReceiver uploads = new UploadReceiver(dvController);
        closeables.add(uploads);
        uploads.publish(client);
        claims.addEventHandler(handler(unreadable, c -> {
            claimQueue.add(Key.of(c));
            dvQueue.add(Key.of(c));
        }));
        pvs.addEventHandler(handler(unreadable, pv -> LocalPathProvisioner.claimOf(pv).ifPresent(claim -> {
            claimQueue.add(claim);
            dvQueue.add(claim); // a DataVolume and its claim share a key
        })));
        classes.addEventHandler(handler(unreadable, sc -> claims.getIndexer().list().forEach(c -> claimQueue.add(Key.of(c)))));
        dataVolumes.addEventHandler(handler(unreadable, dv -> dvQueue.add(Key.of(dv))));
        pods.addEventHandler(handler(unreadable, pod -> {
            if (pod.getSpec() == null || pod.getSpec().getVolumes() == null) return;
            pod.getSpec().getVolumes().stream().filter(v -> v.getPersistentVolumeClaim() != null)
                    .forEach(v -> claimQueue.add(new Key(pod.getMetadata().getNamespace(), v.getPersistentVolumeClaim().getClaimName())));
        }));
        vmis.addEventHandler(handler(unreadable, vmi -> ClaimUsers.claimsOf(vmi.getSpec())
                .forEach(name -> claimQueue.add(new Key(vmi.getMetadata().getNamespace(), name)))));
    }

    /**
     * A client like {@code client} (same server, same identity) that reads the objects the informers hold
     * tolerantly ({@link TolerantReading}): an object that cannot be read in full reaches the handlers
     * with the bad part left out and the reason attached, instead of stopping the informer for every object.
     */
    private KubernetesClient tolerant(KubernetesClient client) {
        ObjectMapper mapper = new ObjectMapper().registerModule(new TolerantReading(Set.of(VirtualMachineResource.class,
                VirtualMachineInstanceResource.class, ReplicaSetResource.class, PoolResource.class, Pod.class, Node.class)));
        KubernetesClient derived = new KubernetesClientBuilder().withConfig(client.getConfiguration())
                .withKubernetesSerialization(new KubernetesSerialization(mapper, true)).build();
        clients.add(derived);
        return derived;
    }

    /** The scheduler, if it runs. */
    public Scheduler scheduler() {
        return scheduler;
    }

    private <T extends HasMetadata> SharedIndexInformer<T> informer(SharedIndexInformer<T> i) {
        informers.add(i);
        return i;
    }

    /**
     * A loop of {@code workers} over a new queue. A failed reconcile is retried with that key's backoff and, on its
     * 1st, 2nd, 4th, 8th… failure in a row, told as a Warning event {@value #SYNC_FAILED} on the object (looked up in
     * {@code objects}), so the reason shows in {@code kubectl describe} without an event per retry.
     */
    private WorkQueue loop(String name, io.jvirt.controller.reconcile.Reconciler reconciler, int workers,
                           SharedIndexInformer<? extends HasMetadata> objects, EventRecorder events) {
        WorkQueue q = new WorkQueue(name, RetryBackoff.DEFAULT);
        ControllerLoop.FailureListener listener = (key, e, failures) -> {
            if (failures <= 0 || Integer.bitCount(failures) != 1) return;
            HasMetadata o = objects.getIndexer().getByKey(key.cacheKey());
            if (o == null) return;
            String message = e instanceof KubernetesClientException k && k.getStatus() != null && k.getStatus().getMessage() != null
                    ? k.getStatus().getMessage() : String.valueOf(e.getMessage());
            events.record(o, EventRecorder.WARNING, SYNC_FAILED, name + " failed (" + failures + (failures == 1 ? " time" : " times")
                    + " in a row, retried with backoff): " + message);
        };
        loops.add(new ControllerLoop(name, q, reconciler, workers, listener));
        return q;
    }

    /** Whether {@code vm}'s instancetype or preference matcher names {@code name}. */
    private static boolean names(VirtualMachineResource vm, String name) {
        if (vm.getSpec() == null || vm.getSpec().unknown() == null) return false;
        for (String matcher : List.of("instancetype", "preference")) {
            if (vm.getSpec().unknown().get(matcher) instanceof Map<?, ?> m && name.equals(m.get("name"))) return true;
        }
        return false;
    }

    private static OwnerReference controllerOf(HasMetadata o) {
        if (o.getMetadata().getOwnerReferences() == null) return null;
        return o.getMetadata().getOwnerReferences().stream().filter(r -> Boolean.TRUE.equals(r.getController())).findFirst().orElse(null);
    }

    /**
     * An informer handler: reports an object read only in part ({@link UnreadableObjects}), then hands every
     * object to {@code onChange} (the reconcilers decide what a partial object allows). An exception in
     * {@code onChange} is logged and confined to that object.
     */
    private static <T extends HasMetadata> ResourceEventHandler<T> handler(UnreadableObjects unreadable, Consumer<T> onChange) {
        Consumer<T> guarded = obj -> {
            try {
                unreadable.report(obj);
                onChange.accept(obj);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "handling " + obj.getKind() + " " + obj.getMetadata().getName() + " failed", e);
            }
        };
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                guarded.accept(obj);
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                guarded.accept(newObj);
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                guarded.accept(obj);
            }
        };
    }

    @Override
    public void close() {
        for (ControllerLoop l : loops) l.close();
        for (SharedIndexInformer<?> i : informers) i.stop();
        for (AutoCloseable c : closeables) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "closing " + c + " failed", e);
            }
        }
        clients.forEach(KubernetesClient::close);
    }
}
