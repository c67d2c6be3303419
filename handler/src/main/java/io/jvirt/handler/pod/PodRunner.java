package io.jvirt.handler.pod;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.jvirt.api.meta.TolerantReading;
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
 * Runs the launcher pods bound to one node (embedded mode, kubelet's job): each in its own network
 * namespace and memory cgroup, as a process that outlives the agent ({@link PodProcess}), with
 * state under {@code <data dir>/pods/<uid>}. One idempotent {@link #reconcile} per pod UID,
 * triggered by pod events, by the process exiting and once for every state directory at start,
 * so a restarted agent re-adopts running pods instead of starting them twice and cleans up after
 * pods deleted while it was down. Thread-safe; reconciles of one pod never overlap.
 */
public final class PodRunner implements AutoCloseable {
    public static final String APP_LABEL = "kubevirt.io";
    public static final String APP_VALUE = "virt-launcher";

    private final KubernetesClient client;
    private final String nodeName;
    private final Path podsDir;
    private final LauncherPods launchers;
    private final LauncherStandby standby;
    private final Map<String, Pod> pods = new ConcurrentHashMap<>();
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final Map<String, Boolean> watching = new ConcurrentHashMap<>();
    private final java.util.Set<String> reportedUnreadable = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean closed;
    private SharedIndexInformer<Pod> informer;

    public PodRunner(KubernetesClient client, String nodeName, Path dataDir, LauncherPods launchers) {
        this.client = client;
        this.nodeName = nodeName;
        this.podsDir = dataDir.resolve("pods");
        this.launchers = launchers;
        this.standby = new LauncherStandby(podsDir, launchers::standbyCommand);
    }

    /** Directory holding one pod's state, pid/exit files and {@code compute.log}. */
    public Path podDir(String uid) {
        return podsDir.resolve(uid);
    }

    /** Starts watching; returns after the initial list, once every known pod and state directory is queued. */
    public void start() throws IOException {
        Files.createDirectories(podsDir);
        informer = client.pods().inAnyNamespace().withLabel(APP_LABEL, APP_VALUE).withField("spec.nodeName", nodeName)
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
        try (Stream<Path> dirs = Files.list(podsDir)) {
            dirs.filter(Files::isDirectory).forEach(d -> enqueue(d.getFileName().toString()));
        }
        standby.refill();
    }

    private void seen(Pod pod) {
        Object unreadable = pod.getAdditionalProperties().get(TolerantReading.UNREADABLE);
        if (unreadable != null || pod.getSpec() == null) {
            // read only in part (TolerantReading): nothing here can be run, and the last readable version (if any) stays
            if (reportedUnreadable.add(pod.getMetadata().getUid() + "/" + pod.getMetadata().getResourceVersion())) {
                System.err.println("jvirt-handler: pod " + pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName()
                        + " cannot be read, left alone: " + unreadable);
            }
            return;
        }
        if (!nodeName.equals(pod.getSpec().getNodeName())) {
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
                System.err.println("jvirt-handler: pod " + uid + ": " + e);
            } finally {
                lock.unlock();
                inFlight.decrementAndGet();
            }
        });
    }

    /** Brings the host in line with the pod: start, adopt, report the end, or tear down. Idempotent. */
    void reconcile(String uid) throws Exception {
        Pod pod = pods.get(uid);
        Path dir = podDir(uid);
        Optional<PodState> state = Files.isDirectory(dir) ? PodState.load(dir) : Optional.empty();
        if (pod == null) {
            if (Files.isDirectory(dir)) {
                Duration grace = Duration.ofSeconds(state.map(PodState::graceSeconds).orElse(30L));
                Duration asked = launchers.stopGrace(uid).orElse(grace);
                teardown(uid, state.orElse(null), asked.compareTo(grace) < 0 ? asked : grace);
                deleteTree(dir);
            }
            launchers.gone(uid);
            locks.remove(uid);
            return;
        }
        PodPlan plan;
        try {
            plan = PodPlan.of(pod);
        } catch (IllegalArgumentException e) {
            writeStatus(pod, PodStatuses.failedToStart("InvalidPod", e.getMessage(), now()));
            return;
        }
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        boolean terminal = "Succeeded".equals(phase) || "Failed".equals(phase);
        if (state.isPresent() && state.get().alive() && LauncherStandby.neverHandedOver(dir)) {
            teardown(uid, state.get(), Duration.ZERO); // claimed by an agent that died before handing the VMI over
            deleteTree(dir);
            state = Optional.empty();
        }
        if (state.isPresent() && state.get().alive()) {
            watchExit(uid, state.get());
            if (!"Running".equals(phase)) {
                writeStatus(pod, PodStatuses.running(image(pod), state.get().startedAt()));
            }
            if (plan.isLauncher()) {
                launchers.running(pod, plan, dir);
            }
            return;
        }
        if (state.isPresent()) {
            OptionalInt exit = PodProcess.exitCode(dir);
            if (!terminal) {
                writeStatus(pod, PodStatuses.terminated(image(pod), state.get().startedAt(), now(), exit, PodProcess.lastLogLine(dir).orElse(null)));
            }
            if (plan.isLauncher()) {
                launchers.ended(pod, plan, dir, exit);
            }
            teardown(uid, state.get(), Duration.ZERO);
            return;
        }
        if (terminal) {
            return;
        }
        startPod(pod, plan, dir);
    }

    private void startPod(Pod pod, PodPlan plan, Path dir) throws Exception {
        NetworkNamespace netns = new NetworkNamespace(plan.netnsName());
        MemoryCgroup cgroup = MemoryCgroup.forPod(plan.uid());
        PodState state;
        try {
            if (!cgroup.pids().isEmpty()) {
                PodProcess.stop(null, cgroup, Duration.ZERO); // leftovers of a start interrupted before its state was saved
            }
            Optional<PodState> claimed = plan.isLauncher() && !Files.exists(dir) && !cgroup.exists() ? standby.claim(plan, dir)
                    : Optional.empty();
            if (claimed.isPresent()) {
                List<String> argv = launchers.prepare(pod, plan, dir);
                LauncherStandby.handOver(dir, Path.of(argv.get(argv.size() - 1)));
                state = claimed.get();
            } else {
                Files.createDirectories(dir);
                netns.create();
                cgroup.create(plan.memoryLimitBytes());
                List<String> argv = plan.isLauncher() ? launchers.prepare(pod, plan, dir) : plan.command();
                state = PodProcess.start(plan, argv, dir, netns, cgroup);
            }
        } catch (Exception e) {
            teardown(plan.uid(), null, Duration.ZERO);
            // the log's last line is what a failed pod reports (and the VMI's reason): say why it never ran
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(PodProcess.LOG_FILE), "jvirt-handler: the pod did not start: " + e.getMessage() + "\n",
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            writeStatus(pod, PodStatuses.failedToStart("StartError", String.valueOf(e.getMessage()), now()));
            PodState marker = new PodState(plan.uid(), plan.namespace(), plan.name(), -1, -1, now(), 0);
            marker.save(dir); // never retried: the pod is Failed
            return;
        }
        writeStatus(pod, PodStatuses.running(image(pod), state.startedAt()));
        watchExit(plan.uid(), state);
        if (plan.isLauncher()) {
            launchers.running(pod, plan, dir);
        }
    }

    private void watchExit(String uid, PodState state) {
        if (watching.putIfAbsent(uid, Boolean.TRUE) != null) {
            return;
        }
        Optional<ProcessHandle> handle = PodProcess.handle(state);
        if (handle.isEmpty()) {
            watching.remove(uid);
            enqueue(uid);
            return;
        }
        handle.get().onExit().thenRun(() -> {
            watching.remove(uid);
            enqueue(uid);
        });
    }

    /** Stops the pod's processes and removes its netns and cgroup. Idempotent. */
    private void teardown(String uid, PodState state, Duration grace) throws IOException, InterruptedException {
        MemoryCgroup cgroup = MemoryCgroup.forPod(uid);
        try {
            PodProcess.stop(state != null && state.pid() > 0 ? state : null, cgroup, grace);
            removeWhenEmpty(cgroup);
        } finally {
            new NetworkNamespace(PodPlan.netnsName(uid)).delete();
        }
    }

    /** rmdir of a cgroup fails (EBUSY) until the kernel has let go of exited tasks: retried for up to 10 s. */
    private static void removeWhenEmpty(MemoryCgroup cgroup) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plusSeconds(10);
        while (true) {
            try {
                if (cgroup.remove()) {
                    return;
                }
            } catch (IOException e) {
                if (Instant.now().isAfter(deadline)) {
                    throw e;
                }
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IOException("cgroup " + cgroup.path() + " still has tasks " + cgroup.pids());
            }
            Thread.sleep(100);
        }
    }

    private void writeStatus(Pod pod, PodStatus status) {
        var resource = client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName());
        for (int attempt = 0; attempt < 10; attempt++) {
            Pod fresh = resource.get();
            if (fresh == null || !pod.getMetadata().getUid().equals(fresh.getMetadata().getUid())) {
                return;
            }
            fresh.setStatus(status);
            try {
                client.pods().resource(fresh).updateStatus();
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

    static void deleteTree(Path dir) throws IOException {
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
        standby.close();
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
