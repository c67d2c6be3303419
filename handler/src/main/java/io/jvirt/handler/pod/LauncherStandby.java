package io.jvirt.handler.pod;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * One launcher pod process started before any VMI needs it, so a new VMI's launcher does not pay
 * for a JVM start (most of the time from VMI create to QEMU started). The standby runs like any pod
 * ({@link PodProcess}) under the made-up uid {@code standby-<hex>}: its own pod directory, network
 * namespace and cgroup, the launcher in {@code --standby} mode, warmed up and waiting.
 * {@link #claim} turns it into a pod's process by renaming all three to the pod's names (directory
 * and cgroup by rename, the netns by {@code ip netns attach}); the pod runner then prepares the VMI
 * and hands the launch request over with {@link #handOver}. A claim starts the next standby.
 * A standby left over by an agent that died is an unknown pod directory, torn down at the next
 * start like any other. Thread-safe.
 */
final class LauncherStandby implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(LauncherStandby.class.getName());
    /** Written into a standby's pod directory: a pod directory holding it but no claim was never handed a VMI. */
    static final String MARKER_FILE = "standby";
    static final String CLAIM_FILE = "claim";

    private final Path podsDir;
    private final HostScope scope;
    private final Function<Path, List<String>> command;
    private final AtomicReference<PodState> ready = new AtomicReference<>();
    private final AtomicBoolean starting = new AtomicBoolean();
    private volatile boolean closed;

    /** @param command the standby launcher's argv for its run directory; empty: this node keeps no standby */
    LauncherStandby(Path podsDir, HostScope scope, Function<Path, List<String>> command) {
        this.podsDir = podsDir;
        this.scope = scope;
        this.command = command;
    }

    /** True when {@code podDir} holds a claimed standby that never got its launch request (the agent died in between). */
    static boolean neverHandedOver(Path podDir) {
        return Files.exists(podDir.resolve(MARKER_FILE)) && !Files.exists(podDir.resolve(CLAIM_FILE));
    }

    /** Starts a standby in the background unless one is ready or starting. */
    void refill() {
        if (closed || ready.get() != null || !starting.compareAndSet(false, true)) {
            return;
        }
        Thread.ofVirtual().name("launcher-standby").start(() -> {
            try {
                String uid = "standby-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
                List<String> argv = command.apply(scope.runDirectory(uid));
                if (!argv.isEmpty()) {
                    ready.set(start(uid, argv));
                }
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "starting a standby launcher: " + e);
            } finally {
                starting.set(false);
            }
            if (closed) {
                discard(ready.getAndSet(null));
            }
        });
    }

    private PodState start(String uid, List<String> argv) throws IOException, InterruptedException {
        PodPlan plan = new PodPlan(uid, "", uid, 0, 0, 0);
        Path dir = Files.createDirectories(podsDir.resolve(uid));
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        PodProcess.createPrivate(dir.resolve(MARKER_FILE));
        NetworkNamespace netns = new NetworkNamespace(scope.netnsName(uid));
        PodCgroup cgroup = scope.cgroup(uid);
        netns.create();
        cgroup.create(CgroupLimits.NONE);
        return PodProcess.start(plan, argv, dir, netns, cgroup);
    }

    /**
     * Makes the ready standby the process of pod {@code plan}, its pod directory {@code podDir} (the files
     * already prepared there are carried over: the standby's directory is renamed to it), and returns the
     * pod's state; empty when no standby is ready or the claim failed (the standby is then discarded).
     * Starts the next standby either way. The caller keeps the pod's name from sweeps meanwhile.
     */
    Optional<PodState> claim(PodPlan plan, Path podDir) {
        PodState standby = ready.getAndSet(null);
        if (standby == null) {
            refill();
            return Optional.empty();
        }
        try {
            if (!standby.alive()) {
                throw new IOException("it has exited");
            }
            PodState state = new PodState(plan.uid(), plan.namespace(), plan.name(), standby.pid(), standby.startTicks(),
                    Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), plan.gracePeriodSeconds());
            Path from = podsDir.resolve(standby.uid());
            state.save(from);
            if (Files.isDirectory(podDir)) { // what was prepared for the pod goes along
                try (java.util.stream.Stream<Path> prepared = Files.list(podDir)) {
                    for (Path f : prepared.toList()) {
                        Files.move(f, from.resolve(f.getFileName()));
                    }
                }
                Files.delete(podDir);
            }
            Files.move(from, podDir);
            PodCgroup cgroup = scope.cgroup(plan.uid());
            scope.cgroup(standby.uid()).renameTo(cgroup);
            cgroup.create(plan.limits());
            Commands.run(List.of("ip", "netns", "attach", scope.netnsName(plan.uid()), Long.toString(standby.pid())));
            new NetworkNamespace(scope.netnsName(standby.uid())).delete();
            return Optional.of(state);
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "standby launcher " + standby.uid() + " not used for pod " + plan.uid() + ": " + e);
            discard(standby);
            discardAs(plan.uid(), standby, podDir);
            return Optional.empty();
        } finally {
            refill();
        }
    }

    /** Gives the claimed launcher in {@code podDir} its launch request (atomically: temp file + rename). */
    static void handOver(Path podDir, Path launchRequest) throws IOException {
        Path tmp = podDir.resolve(CLAIM_FILE + ".tmp");
        PodProcess.createPrivate(tmp);
        Files.writeString(tmp, launchRequest.toString());
        Files.move(tmp, podDir.resolve(CLAIM_FILE), StandardCopyOption.ATOMIC_MOVE);
    }

    /** Stops the waiting standby and removes its directory, cgroup and netns. */
    @Override
    public void close() {
        closed = true;
        discard(ready.getAndSet(null));
    }

    private void discard(PodState standby) {
        if (standby != null) {
            discardAs(standby.uid(), standby, podsDir.resolve(standby.uid()));
        }
    }

    /** Stops the standby's processes and removes what carries the name {@code uid}. Best effort. */
    private void discardAs(String uid, PodState standby, Path dir) {
        PodCgroup cgroup = scope.cgroup(uid);
        try {
            PodProcess.stop(standby, cgroup, Duration.ZERO);
            cgroup.removeWhenEmpty(Duration.ofSeconds(10));
            new NetworkNamespace(scope.netnsName(uid)).delete();
            PodRunner.deleteTree(scope.runDirectory(uid));
            PodRunner.deleteTree(dir);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "removing standby launcher " + standby.uid() + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
