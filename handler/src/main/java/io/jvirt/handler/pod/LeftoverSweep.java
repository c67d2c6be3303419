package io.jvirt.handler.pod;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Removes what one agent instance left on the host for pods it no longer has a pod directory for:
 * cgroups (their processes killed first), network namespaces and run directories named with
 * its {@link HostScope}, and disk directories in its data dir. Others' names are never touched.
 *
 * <p>Safe beside starts under way: the pod runner makes a pod's directory before any of these, and
 * removes it after them; the sweep lists the host's names first and the pod directories second, so
 * anything it removes had no pod directory after it was seen. Stateless; callers serialize sweeps.
 */
final class LeftoverSweep {
    private static final System.Logger LOG = System.getLogger(LeftoverSweep.class.getName());

    private LeftoverSweep() {}

    /**
     * Sweeps, leaving alone the pods with a directory in {@code podsDir} and those in {@code keep}; returns what
     * was removed (host paths and names), for the log. Best effort: failures are logged.
     */
    static List<String> sweep(HostScope scope, Path podsDir, Path disksDir, Set<String> keep) {
        List<String> cgroups;
        try {
            cgroups = scope.cgroups().names(scope.prefix());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "listing " + scope.cgroups().parent() + ": " + e.getMessage());
            cgroups = List.of();
        }
        List<String> netns = names(Path.of("/run/netns"), HostScope.NETNS_PREFIX + scope.prefix());
        List<String> runDirs = names(HostScope.RUN_ROOT, scope.prefix());
        List<String> diskDirs = names(disksDir, "");
        Set<String> pods = new java.util.HashSet<>(names(podsDir, ""));
        pods.addAll(keep);
        Set<String> podNetns = pods.stream().map(scope::netnsName).collect(Collectors.toSet());
        List<String> removed = new ArrayList<>();
        for (String name : cgroups) {
            String uid = name.substring(scope.prefix().length());
            if (!pods.contains(uid)) {
                PodCgroup cgroup = scope.cgroup(uid);
                attempt(removed, cgroup.path().toString(), () -> {
                    PodProcess.stop(null, cgroup, Duration.ZERO);
                    cgroup.removeWhenEmpty(Duration.ofSeconds(10));
                });
            }
        }
        for (String name : netns) {
            if (!podNetns.contains(name)) {
                attempt(removed, "netns " + name, () -> new NetworkNamespace(name).delete());
            }
        }
        for (String name : runDirs) {
            if (!pods.contains(name.substring(scope.prefix().length()))) {
                attempt(removed, HostScope.RUN_ROOT.resolve(name).toString(), () -> PodRunner.deleteTree(HostScope.RUN_ROOT.resolve(name)));
            }
        }
        for (String name : diskDirs) {
            if (!pods.contains(name)) {
                attempt(removed, disksDir.resolve(name).toString(), () -> PodRunner.deleteTree(disksDir.resolve(name)));
            }
        }
        if (!removed.isEmpty()) {
            LOG.log(System.Logger.Level.INFO, "removed leftovers of pods this node no longer has: " + removed);
        }
        return removed;
    }

    private interface Step {
        void run() throws IOException, InterruptedException;
    }

    private static void attempt(List<String> removed, String what, Step step) {
        try {
            step.run();
            removed.add(what);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "removing leftover " + what + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Entry names in {@code dir} starting with {@code prefix} (none when the directory does not exist). */
    private static List<String> names(Path dir, String prefix) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix)).toList();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "listing " + dir + ": " + e.getMessage());
            return List.of();
        }
    }
}
