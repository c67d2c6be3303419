package io.jvirt.handler.pod;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Where the host's cgroups are and which version it runs, read at run time from {@code /proc/self/mountinfo}
 * ({@link #detect}): cgroup v1 when a v1 memory hierarchy is mounted (also on "hybrid" hosts, whose unified
 * hierarchy then carries no controllers), else cgroup v2 where {@code cgroup2} is mounted. Every jvirt instance's pod
 * cgroups live under {@code jvirt/} of each hierarchy, named {@link HostScope#cgroup} (so each instance knows its
 * own). Immutable; thread-safe.
 */
public sealed interface CgroupHierarchy {
    /** The directory under each hierarchy's root that holds the pod cgroups. */
    String PARENT = "jvirt";

    /** The pod cgroup {@code name} ([A-Za-z0-9-], at most 80 characters). */
    PodCgroup cgroup(String name);

    /** The directory holding every pod cgroup (v1: in the memory hierarchy, which names them all). */
    Path parent();

    /** What {@link #detect} found, for logs and docs: {@code cgroup v1 (memory at /sys/fs/cgroup/memory, …)}. */
    String describe();

    /** Names of the pod cgroups below {@link #parent()} that start with {@code prefix}. */
    default List<String> names(String prefix) throws IOException {
        if (!Files.isDirectory(parent())) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(parent())) {
            return entries.filter(Files::isDirectory).map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix)).sorted().toList();
        }
    }

    /** cgroup v1: the memory, cpu and pids hierarchies' mount points. */
    record V1(Path memory, Path cpu, Path pids) implements CgroupHierarchy {
        @Override
        public PodCgroup cgroup(String name) {
            checkName(name);
            return new CgroupV1(memory.resolve(PARENT).resolve(name), cpu.resolve(PARENT).resolve(name), pids.resolve(PARENT).resolve(name));
        }

        @Override
        public Path parent() {
            return memory.resolve(PARENT);
        }

        @Override
        public String describe() {
            return "cgroup v1 (memory at " + memory + ", cpu at " + cpu + ", pids at " + pids + ")";
        }
    }

    /** cgroup v2: the unified hierarchy's mount point. */
    record V2(Path root) implements CgroupHierarchy {
        @Override
        public PodCgroup cgroup(String name) {
            checkName(name);
            return new CgroupV2(root, parent().resolve(name));
        }

        @Override
        public Path parent() {
            return root.resolve(PARENT);
        }

        @Override
        public String describe() {
            return "cgroup v2 (unified hierarchy at " + root + ")";
        }
    }

    private static void checkName(String name) {
        if (!name.matches("[A-Za-z0-9-]{1,80}")) {
            throw new IllegalArgumentException("bad cgroup name: " + name);
        }
    }

    /** The running host's hierarchy, detected once from {@code /proc/self/mountinfo}. */
    static CgroupHierarchy host() {
        return Host.HIERARCHY;
    }

    /**
     * The hierarchy that {@code mountinfo} (the text of {@code /proc/self/mountinfo}) describes.
     *
     * @throws IllegalStateException when it mounts neither a v1 memory hierarchy (with cpu and pids) nor cgroup2
     */
    static CgroupHierarchy detect(String mountinfo) {
        Map<String, Path> v1 = new HashMap<>();
        List<Path> v2 = new ArrayList<>();
        for (String line : mountinfo.split("\n")) {
            int dash = line.indexOf(" - ");
            if (dash < 0) {
                continue;
            }
            String[] left = line.substring(0, dash).split(" ");
            String[] right = line.substring(dash + 3).split(" ");
            if (left.length < 5 || right.length < 3) {
                continue;
            }
            Path mountPoint = Path.of(unescape(left[4]));
            if (right[0].equals("cgroup2")) {
                v2.add(mountPoint);
            } else if (right[0].equals("cgroup")) {
                for (String option : Arrays.asList(right[2].split(","))) {
                    if (List.of("memory", "cpu", "pids").contains(option)) {
                        v1.putIfAbsent(option, mountPoint);
                    }
                }
            }
        }
        if (v1.containsKey("memory")) {
            for (String controller : List.of("cpu", "pids")) {
                if (!v1.containsKey(controller)) {
                    throw new IllegalStateException("cgroup v1 host without a " + controller + " hierarchy mounted");
                }
            }
            return new V1(v1.get("memory"), v1.get("cpu"), v1.get("pids"));
        }
        return v2.stream().filter(p -> p.equals(Path.of("/sys/fs/cgroup"))).findFirst().or(() -> v2.stream().findFirst())
                .<CgroupHierarchy>map(V2::new)
                .orElseThrow(() -> new IllegalStateException("no cgroup file system mounted (neither a v1 memory hierarchy nor cgroup2)"));
    }

    /** A mountinfo field with the kernel's octal escapes ({@code \040} for a space) decoded. */
    private static String unescape(String field) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length() && field.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** Holder of the detected hierarchy (read on first use). */
    final class Host {
        private static final System.Logger LOG = System.getLogger(CgroupHierarchy.class.getName());
        static final CgroupHierarchy HIERARCHY = read();

        private Host() {}

        private static CgroupHierarchy read() {
            try {
                CgroupHierarchy h = detect(Files.readString(Path.of("/proc/self/mountinfo")));
                LOG.log(System.Logger.Level.INFO, "pod cgroups: " + h.describe());
                return h;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("reading /proc/self/mountinfo", e);
            }
        }
    }
}
