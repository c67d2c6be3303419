package io.jvirt.handler.pod;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.jvirt.api.meta.TolerantReading;
import io.jvirt.api.v1.FailureReason;
import io.jvirt.api.v1.Finalizers;
import io.jvirt.api.v1.LaunchFailure;
import io.jvirt.handler.metrics.UsageSampler;
import io.jvirt.network.PodNetwork;
import io.jvirt.network.cni.CniResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * Runs the launcher pods bound to one node (embedded mode, kubelet's job): each pod's one process (QEMU)
 * in its own network namespace, on the node's pod network when it has one ({@link PodNetwork}: CNI ADD at start, the
 * pod IP in its status, DEL at teardown; a pod whose multus default-network annotation names a NetworkAttachmentDefinition
 * gets its {@code eth0} from that instead), and cgroup ({@link PodCgroup}: v1 or v2), outliving the agent ({@link PodProcess}), with
 * state under {@code <data dir>/pods/<uid>}. One idempotent {@link #reconcile} per pod UID,
 * triggered by pod events, by the process exiting and once for every state directory at start,
 * so a restarted agent re-adopts running pods instead of starting them twice and cleans up after
 * pods deleted while it was down. Thread-safe; reconciles of one pod never overlap.
 *
 * <p>The node runs only what the control plane asked for: a pod is started only when it is a launcher
 * pod ({@link LauncherOwner}) whose VMI exists and names it ({@link LauncherPods#verify}), and what
 * runs is the QEMU argv the agent builds ({@link LauncherPods#prepare}), never the pod's command. Any
 * other pod bound to the node gets phase Failed with the reason and a Warning event, and nothing runs.
 * What a pod leaves on the host outside its directory is swept ({@link LeftoverSweep}) at start and
 * after each failed start.
 */
public final class PodRunner implements AutoCloseable {
    public static final String APP_LABEL = LauncherOwner.APP_LABEL;
    public static final String APP_VALUE = LauncherOwner.APP_VALUE;
    private static final System.Logger LOG = System.getLogger(PodRunner.class.getName());
    private static final java.util.Set<java.nio.file.attribute.PosixFilePermission> PRIVATE_DIR =
            java.nio.file.attribute.PosixFilePermissions.fromString("rwx------");
    private static final java.util.Set<java.nio.file.attribute.PosixFilePermission> SEARCH_ONLY =
            java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x");

    private final KubernetesClient client;
    private final String nodeName;
    private final Path podsDir;
    private final Path disksDir;
    private final HostScope scope;
    private final LauncherPods launchers;
    /** The pod network each pod's namespace joins (CNI ADD at start, DEL at teardown); null: loopback only. */
    private final PodNetwork network;
    private final Map<String, Pod> pods = new ConcurrentHashMap<>();
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final Map<String, Boolean> watching = new ConcurrentHashMap<>();
    /** Pods whose start failed for a transient reason, and when to try again. */
    private final Map<String, Retry> retries = new ConcurrentHashMap<>();
    private final java.util.Set<String> reportedUnreadable = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    private final Object sweeping = new Object();
    /** Pods whose start is under way: a sweep leaves their names alone even while their directory is being renamed. */
    private final java.util.Set<String> starting = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    private SharedIndexInformer<Pod> informer;

    /** A runner whose pods have only loopback (no pod network). */
    public PodRunner(KubernetesClient client, String nodeName, Path dataDir, HostScope scope, LauncherPods launchers) {
        this(client, nodeName, dataDir, scope, launchers, null);
    }

    /** @param network the pod network each pod's {@code eth0} is on, or null for pods with loopback only */
    public PodRunner(KubernetesClient client, String nodeName, Path dataDir, HostScope scope, LauncherPods launchers, PodNetwork network) {
        this.network = network;
        this.client = client;
        this.nodeName = nodeName;
        this.podsDir = dataDir.resolve("pods");
        this.disksDir = dataDir.resolve("disks");
        this.scope = scope;
        this.launchers = launchers;
    }

    /** Directory holding one pod's state, pid/exit files and {@code compute.log}. */
    public Path podDir(String uid) {
        return podsDir.resolve(uid);
    }

    /**
     * The {@code compute.log} of pod {@code namespace/name} when this agent knows a pod of that name with
     * {@code uid} and its log exists; the path is this agent's own pod directory of that uid, never one
     * taken from the caller. It has ended once the pod is gone or Succeeded/Failed.
     */
    public Optional<io.jvirt.handler.relay.PodLogs.LogFile> log(String namespace, String name, String uid) {
        Pod pod = pods.get(uid);
        if (pod == null || !namespace.equals(pod.getMetadata().getNamespace()) || !name.equals(pod.getMetadata().getName())) {
            return Optional.empty();
        }
        Path file = podDir(pod.getMetadata().getUid()).resolve(PodProcess.LOG_FILE);
        if (!Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return Optional.empty();
        return Optional.of(new io.jvirt.handler.relay.PodLogs.LogFile(file, () -> ended(uid)));
    }

    /** The pods this agent runs now (phase Running) with the processes of their cgroups, for {@code kubectl top}. */
    public List<UsageSampler.RunningPod> runningPods() {
        List<UsageSampler.RunningPod> out = new java.util.ArrayList<>();
        for (Pod pod : pods.values()) {
            if (pod.getStatus() == null || !"Running".equals(pod.getStatus().getPhase())) continue;
            try {
                out.add(new UsageSampler.RunningPod(pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
                        scope.cgroup(pod.getMetadata().getUid()).pids()));
            } catch (IOException e) {
                // the cgroup went away with the pod
            }
        }
        return out;
    }

    /** The name of the running launcher pod of VMI {@code vmiUid} on this node, or null. */
    public String launcherPodOf(String vmiUid) {
        Pod pod = launcherOf(vmiUid);
        return pod == null ? null : pod.getMetadata().getName();
    }

    /** The network namespace ({@code ip netns} name) of the running launcher pod of VMI {@code vmiUid} on this node. */
    public Optional<String> launcherNetnsOf(String vmiUid) {
        Pod pod = launcherOf(vmiUid);
        return pod == null ? Optional.empty() : Optional.of(scope.netnsName(pod.getMetadata().getUid()));
    }

    private Pod launcherOf(String vmiUid) {
        for (Pod pod : pods.values()) {
            if (pod.getMetadata().getLabels() != null && vmiUid.equals(pod.getMetadata().getLabels().get("kubevirt.io/created-by"))
                    && !ended(pod.getMetadata().getUid())) {
                return pod;
            }
        }
        return null;
    }

    private boolean ended(String uid) {
        Pod pod = pods.get(uid);
        String phase = pod == null || pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return pod == null || "Succeeded".equals(phase) || "Failed".equals(phase);
    }

    /** Where pod {@code uid}'s files live. */
    public PodPaths paths(String uid) {
        return new PodPaths(podDir(uid), scope.runDirectory(uid), disksDir.resolve(uid), scope.netnsName(uid));
    }

    /** The host-global names of this agent's pods. */
    public HostScope scope() {
        return scope;
    }

    /**
     * Sweeps leftovers, then starts watching every pod bound to the node; returns after the initial
     * list, once every known pod and state directory is queued.
     */
    public void start() throws IOException {
        Files.createDirectories(podsDir);
        Files.setPosixFilePermissions(podsDir, PRIVATE_DIR);
        Files.createDirectories(disksDir);
        Files.setPosixFilePermissions(disksDir, SEARCH_ONLY); // QEMU's user reaches its own pod's directory, lists none
        Files.createDirectories(HostScope.RUN_ROOT);
        Files.setPosixFilePermissions(HostScope.RUN_ROOT, SEARCH_ONLY);
        sweep();
        informer = client.pods().inAnyNamespace().withField("spec.nodeName", nodeName)
                .inform(new ResourceEventHandler<>() {
                    public void onAdd(Pod pod) {
                        seen(pod);
                    }

                    public void onUpdate(Pod old, Pod pod) {
                        seen(pod);
                    }

                    public void onDelete(Pod pod, boolean unknownFinalState) {
                        pods.remove(pod.getMetadata().getUid());
                        enqueue(pod.getMetadata().getUid());
                    }
                });
        // the informer's handlers may hear of the initial list only after inform() returned: a state directory
        // reconciled before its pod was seen would look like a pod deleted while no agent ran (and be torn down)
        informer.getStore().list().forEach(this::seen);
        try (Stream<Path> dirs = Files.list(podsDir)) {
            dirs.filter(Files::isDirectory).forEach(d -> enqueue(d.getFileName().toString()));
        }
    }

    /**
     * Removes this instance's netns, cgroups, run and disk directories of pods it has no directory for and is not
     * starting, and their pod network leftovers (address leases, portmap rules, veths, kept CNI results).
     */
    List<String> sweep() {
        synchronized (sweeping) {
            List<String> removed = new java.util.ArrayList<>();
            if (network != null) {
                // DEL first, while a leftover namespace still holds its end of the veth; live is asked after the listing
                network.sweep(uid -> starting.contains(uid) || Files.isDirectory(podDir(uid)), this::driverNetns)
                        .forEach(uid -> removed.add("pod network of " + uid));
            }
            removed.addAll(LeftoverSweep.sweep(scope, podsDir, disksDir, java.util.Set.copyOf(starting)));
            return removed;
        }
    }

    /** Pod {@code uid}'s network namespace as the network driver names it. */
    private io.jvirt.network.NetworkNamespace driverNetns(String uid) {
        return new io.jvirt.network.NetworkNamespace(scope.netnsName(uid));
    }

    /** The pod network's addresses of pod {@code uid} (its kept CNI result), empty without a pod network. */
    private List<String> podIps(String uid) {
        if (network == null) {
            return List.of();
        }
        try {
            return network.result(uid).map(r -> r.ips().stream().map(CniResult.IpConfig::ip).toList()).orElse(List.of());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "pod " + uid + ": its pod network result cannot be read: " + e.getMessage());
            return List.of();
        }
    }

    private void seen(Pod pod) {
        Object unreadable = pod.getAdditionalProperties().get(TolerantReading.UNREADABLE);
        if (unreadable != null || pod.getSpec() == null) {
            // read only in part (TolerantReading): nothing here can be run, and the last readable version (if any) stays
            if (reportedUnreadable.add(pod.getMetadata().getUid() + "/" + pod.getMetadata().getResourceVersion())) {
                LOG.log(System.Logger.Level.WARNING, "pod " + pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName()
                        + " cannot be read, left alone: " + unreadable);
            }
            return;
        }
        if (!nodeName.equals(pod.getSpec().getNodeName()) || pod.getMetadata().getUid() == null) {
            return;
        }
        pods.put(pod.getMetadata().getUid(), pod);
        enqueue(pod.getMetadata().getUid());
    }

    private void enqueue(String uid) {
        if (closed) {
            return;
        }
        inFlight.incrementAndGet();
        Thread.ofVirtual().name("pod-" + uid).start(() -> {
            ReentrantLock lock = locks.computeIfAbsent(uid, k -> new ReentrantLock());
            lock.lock();
            try {
                if (!closed) {
                    reconcile(uid);
                }
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "pod " + uid + ": " + e, e);
            } finally {
                lock.unlock();
                inFlight.decrementAndGet();
            }
        });
    }

    /** Brings the host in line with the pod: start, adopt, report the end, or tear down. Idempotent. */
    void reconcile(String uid) throws Exception {
        Pod pod = pods.get(uid);
        PodPaths paths = paths(uid);
        Path dir = paths.podDir();
        Optional<PodState> state = Files.isDirectory(dir) ? PodState.load(dir) : Optional.empty();
        if (pod == null || pod.getMetadata().getDeletionTimestamp() != null) {
            if (Files.isDirectory(dir)) {
                Duration grace = Duration.ofSeconds(state.map(PodState::graceSeconds).orElse(30L));
                if (state.isPresent() && state.get().alive()) {
                    launchers.stop(uid, paths, grace);
                }
                teardown(uid, state.orElse(null), Duration.ZERO);
                removeFiles(paths);
                deleteTree(dir);
            }
            retries.remove(uid);
            if (pod != null) {
                releaseFinalizer(pod); // the informer's delete brings us back for the rest
                return;
            }
            launchers.gone(uid);
            locks.remove(uid);
            return;
        }
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        boolean terminal = "Succeeded".equals(phase) || "Failed".equals(phase);
        if (state.isEmpty() && terminal) {
            return;
        }
        Retry retry = retries.get(uid);
        if (state.isEmpty() && retry != null && Instant.now().isBefore(retry.at())) {
            return; // a start that failed for a transient reason: its retry is scheduled
        }
        LauncherOwner owner;
        PodPlan plan;
        try {
            owner = LauncherOwner.of(pod);
            plan = PodPlan.of(pod);
            if (state.isEmpty()) {
                launchers.verify(pod, owner);
            }
        } catch (PodRefusedException e) {
            refuse(pod, state, e.reason(), e.getMessage());
            return;
        } catch (IllegalArgumentException e) {
            refuse(pod, state, "InvalidPod", e.getMessage());
            return;
        }
        if (state.isPresent() && state.get().alive()) {
            watchExit(uid, state.get());
            if (!"Running".equals(phase)) {
                writeStatus(pod, PodStatuses.running(image(pod), state.get().startedAt(), podIps(uid)));
            }
            launchers.running(pod, owner, paths);
            return;
        }
        if (state.isPresent()) {
            OptionalInt exit = PodProcess.exitCode(dir);
            if (!terminal) {
                writeStatus(pod, PodStatuses.terminated(image(pod), state.get().startedAt(), now(), exit, PodProcess.lastProcessLine(dir).orElse(null)));
            }
            launchers.ended(pod, owner, paths, exit);
            teardown(uid, state.get(), Duration.ZERO);
            deleteTree(paths.diskDirectory()); // the pod never runs again (restartPolicy Never)
            return;
        }
        startPod(pod, owner, plan, paths);
    }

    /**
     * Marks a pod the node does not run as Failed and says why in a Warning event; nothing is started.
     * A process the pod already has (it changed since it was started) is stopped.
     */
    private void refuse(Pod pod, Optional<PodState> state, String reason, String message) throws IOException, InterruptedException {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if (state.isPresent()) {
            teardown(pod.getMetadata().getUid(), state.get(), Duration.ZERO);
            removeFiles(paths(pod.getMetadata().getUid()));
        }
        if ("Failed".equals(phase) || "Succeeded".equals(phase)) {
            return;
        }
        LOG.log(System.Logger.Level.WARNING, "not running pod " + pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName()
                + " (" + reason + "): " + message);
        writeStatus(pod, PodStatuses.failedToStart(reason, message, now()));
        try {
            client.v1().events().inNamespace(pod.getMetadata().getNamespace()).resource(new io.fabric8.kubernetes.api.model.EventBuilder()
                    .withNewMetadata() // named as client-go's recorder names events: <object>.<hex nanoseconds>
                    .withName(pod.getMetadata().getName() + "." + Long.toHexString(Instant.now().toEpochMilli() * 1_000_000L + System.nanoTime() % 1_000_000L))
                    .endMetadata()
                    .withNewInvolvedObject().withApiVersion("v1").withKind("Pod").withNamespace(pod.getMetadata().getNamespace())
                    .withName(pod.getMetadata().getName()).withUid(pod.getMetadata().getUid()).endInvolvedObject()
                    .withType("Warning").withReason(reason).withMessage(message)
                    .withNewSource().withComponent("virt-handler").withHost(nodeName).endSource()
                    .withFirstTimestamp(now()).withLastTimestamp(now()).withCount(1).build()).create();
        } catch (KubernetesClientException e) {
            LOG.log(System.Logger.Level.WARNING, "no event for refused pod " + pod.getMetadata().getName() + ": " + e.getMessage());
        }
    }

    /**
     * Prepares the pod's VMI first (disks, cloud-init, the QEMU argv: what fails most often, and cheaply), then
     * makes the pod's netns (CNI ADD) and cgroup, lets the VMI side wire its interfaces in them ({@link LauncherPods#plug})
     * and starts QEMU there with the taps it opened. The uid is kept from sweeps ({@link #starting}) while the start is
     * under way.
     */
    private void startPod(Pod pod, LauncherOwner owner, PodPlan plan, PodPaths paths) throws Exception {
        Path dir = paths.podDir();
        NetworkNamespace netns = new NetworkNamespace(scope.netnsName(plan.uid()));
        PodCgroup cgroup = scope.cgroup(plan.uid());
        PodState state;
        starting.add(plan.uid());
        try {
            if (!cgroup.pids().isEmpty()) {
                PodProcess.stop(null, cgroup, Duration.ZERO); // leftovers of a start interrupted before its state was saved
            }
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PRIVATE_DIR);
            StartSteps steps = new StartSteps();
            // the VMI's preparation (disks, cloud-init, argv) and the pod's sandbox need nothing of each other: side by side
            java.util.concurrent.FutureTask<List<String>> preparation = new java.util.concurrent.FutureTask<>(() -> {
                long since = System.nanoTime();
                List<String> prepared = launchers.prepare(pod, owner, plan, paths);
                steps.done(StartSteps.Step.PREPARE, since);
                return prepared;
            });
            Thread.ofVirtual().name("prepare-" + plan.uid()).start(preparation);
            CniResult podNetwork = null;
            Exception sandboxFailure = null;
            long at = System.nanoTime();
            try {
                netns.create();
                podNetwork = network == null ? null : addPodNetwork(pod, plan.uid());
                at = steps.done(StartSteps.Step.POD_NETWORK, at);
                cgroup.create(plan.limits());
                steps.done(StartSteps.Step.CGROUP, at);
            } catch (Exception e) {
                sandboxFailure = e;
            }
            // torn down only once the preparation has stopped writing; its failure (an image pull, a volume) is the one users need
            List<String> argv = prepared(preparation);
            if (sandboxFailure != null) {
                throw sandboxFailure;
            }
            at = System.nanoTime();
            Map<Integer, io.jvirt.network.TapDevice> taps = launchers.plug(pod, owner, paths, new PodSandbox(driverNetns(plan.uid()), podNetwork, cgroup, network));
            at = steps.done(StartSteps.Step.INTERFACES, at);
            try {
                Map<Integer, Integer> fds = new java.util.TreeMap<>();
                taps.forEach((number, tap) -> fds.put(number, tap.fd()));
                state = PodProcess.start(plan, argv, dir, netns, cgroup, fds);
                steps.done(StartSteps.Step.PROCESS, at);
                PodProcess.logAgentLine(dir, steps.line());
            } finally {
                for (io.jvirt.network.TapDevice tap : taps.values()) {
                    tap.close(); // QEMU holds its own copy: the tap lives as long as QEMU
                }
            }
        } catch (Exception e) {
            teardown(plan.uid(), null, Duration.ZERO);
            removeFiles(paths);
            // the log's last line is what a failed pod reports (and the VMI's reason): say why it never ran
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PRIVATE_DIR);
            PodProcess.createPrivate(dir.resolve(PodProcess.LOG_FILE));
            Files.writeString(dir.resolve(PodProcess.LOG_FILE), "jvirt-handler: the pod did not start: " + e.getMessage() + "\n",
                    java.nio.file.StandardOpenOption.APPEND);
            FailureReason reason = e instanceof LaunchFailure f ? f.reason() : FailureReason.START_ERROR;
            if (reason.isTransient()) {
                Retry next = Retry.after(retries.get(plan.uid()), reason);
                retries.put(plan.uid(), next);
                writeStatus(pod, PodStatuses.waiting(image(pod), next.reason().reason(), String.valueOf(e.getMessage()), now()));
                java.util.concurrent.CompletableFuture.delayedExecutor(next.delay().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                        .execute(() -> enqueue(plan.uid()));
            } else {
                writeStatus(pod, PodStatuses.failedToStart(reason.reason(), String.valueOf(e.getMessage()), image(pod), now()));
                PodState marker = new PodState(plan.uid(), plan.namespace(), plan.name(), -1, -1, now(), 0);
                marker.save(dir); // never retried: the pod is Failed
            }
            sweep();
            return;
        } finally {
            starting.remove(plan.uid());
        }
        retries.remove(plan.uid());
        writeStatus(pod, PodStatuses.running(image(pod), state.startedAt(), podIps(plan.uid())));
        watchExit(plan.uid(), state);
        launchers.running(pod, owner, paths);
    }

    /** The preparation's argv, or its own failure (a {@link LaunchFailure} keeps its reason). */
    private static List<String> prepared(java.util.concurrent.FutureTask<List<String>> preparation) throws Exception {
        try {
            return preparation.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    /**
     * How long each step of a start took, for the agent's line in the pod's log ({@code kubectl logs}): {@code started
     * in 140 ms: prepare 35 ms, pod network 70 ms, …}. The benchmarks read the pod network's share from it.
     */
    static final class StartSteps {
        static final String PREFIX = "started in ";

        /** The steps in the order the line names them (the preparation runs beside the pod network and cgroup). */
        enum Step {
            PREPARE("prepare"), POD_NETWORK("pod network"), CGROUP("cgroup"), INTERFACES("interfaces"), PROCESS("process");

            final String label;

            Step(String label) {
                this.label = label;
            }
        }

        private final long begin = System.nanoTime();
        private final Map<Step, Long> millis = new java.util.EnumMap<>(Step.class);

        /** {@code step}, begun at {@code since} ({@link System#nanoTime}), is done; returns now. */
        synchronized long done(Step step, long since) {
            long now = System.nanoTime();
            millis.put(step, (now - since) / 1_000_000);
            return now;
        }

        synchronized String line() {
            StringBuilder line = new StringBuilder(PREFIX).append((System.nanoTime() - begin) / 1_000_000).append(" ms:");
            millis.forEach((step, ms) -> line.append(step == Step.PREPARE ? " " : ", ").append(step.label).append(' ').append(ms).append(" ms"));
            return line.toString();
        }
    }

    /**
     * CNI ADD of the pod's {@code eth0}: from the NetworkAttachmentDefinition multus' annotation
     * {@code v1.multus-cni.io/default-network} names (the VMI's multus default network; the node's pod network is then
     * not run for the pod), else on the node's pod network.
     */
    private CniResult addPodNetwork(Pod pod, String uid) throws IOException {
        Map<String, String> annotations = pod.getMetadata().getAnnotations();
        String replacement = annotations == null ? null : annotations.get(io.jvirt.api.v1.MultusNetwork.DEFAULT_NETWORK_ANNOTATION);
        if (replacement == null || replacement.isBlank()) {
            return network.add(uid, driverNetns(uid), List.of());
        }
        return network.addDefault(uid, driverNetns(uid), NetworkAttachments.config(client, pod.getMetadata().getNamespace(), replacement));
    }

    /**
     * The next attempt of a start that failed for a transient reason (an image pull): 10 s after the first failure,
     * doubling to at most 5 min, as kubelet backs off image pulls. The first failure reports its own reason
     * ({@code ErrImagePull}), later ones {@code ImagePullBackOff}.
     */
    record Retry(int failures, Instant at, Duration delay, FailureReason reason) {
        static final Duration FIRST = Duration.ofSeconds(10);
        static final Duration MAX = Duration.ofMinutes(5);

        static Retry after(Retry previous, FailureReason failed) {
            int failures = previous == null ? 1 : previous.failures() + 1;
            Duration delay = FIRST.multipliedBy(1L << Math.min(failures - 1, 5));
            delay = delay.compareTo(MAX) > 0 ? MAX : delay;
            FailureReason reason = failures > 1 && failed == FailureReason.ERR_IMAGE_PULL ? FailureReason.IMAGE_PULL_BACK_OFF : failed;
            return new Retry(failures, Instant.now().plus(delay), delay, reason);
        }
    }

    /**
     * The last step of a pod's deletion: once its process has exited and its network namespace, cgroup, run, disk and
     * pod directories are gone, removes {@link Finalizers#LAUNCHER_POD} so the API server lets the pod go (and with it,
     * virt-controller the VMI). Idempotent; a pod without the finalizer, or gone, is left as it is.
     */
    private void releaseFinalizer(Pod pod) {
        onFresh(pod, fresh -> {
            if (fresh.getMetadata().getFinalizers() == null || !fresh.getMetadata().getFinalizers().contains(Finalizers.LAUNCHER_POD)) {
                return;
            }
            List<String> rest = fresh.getMetadata().getFinalizers().stream().filter(f -> !Finalizers.LAUNCHER_POD.equals(f)).toList();
            Map<String, Object> patch = Map.of("metadata", Map.of("finalizers", rest, "resourceVersion", fresh.getMetadata().getResourceVersion()));
            client.pods().resource(fresh).patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                    io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE), client.getKubernetesSerialization().asJson(patch));
        });
    }

    /** Removes the pod's run and disk directories. Idempotent. */
    private static void removeFiles(PodPaths paths) throws IOException {
        deleteTree(paths.runDirectory());
        deleteTree(paths.diskDirectory());
    }

    private void watchExit(String uid, PodState state) {
        if (watching.putIfAbsent(uid, Boolean.TRUE) != null) {
            return;
        }
        Optional<java.util.concurrent.CompletableFuture<?>> exit = PodProcess.exitRecorded(state);
        if (exit.isEmpty()) {
            watching.remove(uid);
            enqueue(uid);
            return;
        }
        exit.get().whenComplete((ok, failed) -> {
            watching.remove(uid);
            enqueue(uid);
        });
    }

    /** Stops the pod's processes and removes its pod network (CNI DEL), netns and cgroup. Idempotent. */
    private void teardown(String uid, PodState state, Duration grace) throws IOException, InterruptedException {
        PodCgroup cgroup = scope.cgroup(uid);
        try {
            PodProcess.stop(state != null && state.pid() > 0 ? state : null, cgroup, grace);
            cgroup.removeWhenEmpty(Duration.ofSeconds(10));
        } finally {
            try {
                if (network != null) {
                    network.delete(uid, driverNetns(uid));
                }
            } catch (IOException e) {
                // never holds up a teardown (and a deletion): what DEL left, the next sweep finds by its lease or result
                LOG.log(System.Logger.Level.WARNING, "pod " + uid + ": CNI DEL failed: " + e.getMessage());
            } finally {
                new NetworkNamespace(scope.netnsName(uid)).delete();
            }
        }
    }

    private void writeStatus(Pod pod, PodStatus status) {
        onFresh(pod, fresh -> {
            fresh.setStatus(status);
            client.pods().resource(fresh).updateStatus();
        });
    }

    /**
     * Runs {@code write} on the pod as the server has it now (same uid), again on a conflict (up to 10 times); a pod
     * that is gone (404) ends it.
     */
    private void onFresh(Pod pod, java.util.function.Consumer<Pod> write) {
        var resource = client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName());
        for (int attempt = 0; attempt < 10; attempt++) {
            Pod fresh = resource.get();
            if (fresh == null || !pod.getMetadata().getUid().equals(fresh.getMetadata().getUid())) {
                return;
            }
            try {
                write.accept(fresh);
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404) {
                    return;
                }
                if (e.getCode() != 409) {
                    throw e;
                }
            }
        }
    }

    private static String image(Pod pod) {
        return pod.getSpec().getContainers().stream().filter(c -> PodPlan.CONTAINER.equals(c.getName())).findFirst()
                .map(c -> c.getImage() == null ? "" : c.getImage()).orElse("");
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** Deletes {@code dir} and everything below it (symbolic links themselves, never their targets). Idempotent. */
    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /**
     * Stops watching and waits (up to 60 s) for reconciles already under way, so a teardown is not
     * cut short. Pod processes keep running; a new runner re-adopts them.
     */
    @Override
    public void close() {
        closed = true;
        if (informer != null) {
            informer.close();
        }
        Instant deadline = Instant.now().plusSeconds(60);
        while (inFlight.get() > 0 && Instant.now().isBefore(deadline)) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
