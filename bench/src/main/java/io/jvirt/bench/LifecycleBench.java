package io.jvirt.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

/**
 * {@code bench/run lifecycle}: issue 14's figures against {@code ./jvirt up} (no JVM per VM: QEMU is each launcher
 * pod's one process), each beside a baseline measured in the same run. (A) {@value #DEFAULT_AT_ONCE} VMIs created at
 * once: create → QEMU started (its start time from /proc, not polled), → Running and → {@code login:} on the serial
 * console, beside as many bare QEMUs started at once on the same argv ({@link BareQemu}) → {@code login:}. (B) One
 * VMI at a time ({@value #DEFAULT_ONE_BY_ONE}): create → QEMU started and → Running. (C) Memory per running VMI
 * beyond the guest's RAM for 10 and 50 VMIs: QEMU's PSS without the guest-RAM mapping + the control plane's growth
 * per VMI, as a ratio to bare QEMU's own non-guest PSS on the same argv; and the control-plane process's PSS at 0
 * and at each size. Sizes: {@code -Djvirt.bench.vmis=N}, {@code -Djvirt.bench.memoryVmis=10,50} (empty: none),
 * {@code -Djvirt.bench.oneByOne=N}; {@code -Djvirt.bench.size=small} sets 3, 2 and 2 for a quick check.
 */
final class LifecycleBench implements Benchmark {
    static final int DEFAULT_AT_ONCE = 20;
    static final int DEFAULT_ONE_BY_ONE = 8;
    static final int MEMORY_WAVE = 10;
    /** The demo guest panics ("deadlocked on memory") with 64 and 96 MiB; 128 MiB is what KubeVirt's examples give it. */
    static final String GUEST = "128Mi";
    static final long GUEST_KIB = 128 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String VMIS = "/apis/kubevirt.io/v1/namespaces/default/virtualmachineinstances";
    private static final String BARE = "bare QEMU on the same argv (same run)";
    private static final String BARE_MEMORY = "bare QEMU PSS without guest RAM, same argv (same run)";
    private static final Path BARE_DIR = Path.of("/run/jvirt-bench");

    @Override
    public String name() {
        return "lifecycle";
    }

    @Override
    public String description() {
        return "VMIs created at once vs bare QEMU: create -> QEMU started / Running / login:; memory per VMI beyond guest RAM (guest " + GUEST + ")";
    }

    @Override
    public List<Figure> run() throws Exception {
        Path root = Path.of(System.getProperty("jvirt.build.dir", "build")).toAbsolutePath().getParent();
        boolean small = "small".equals(System.getProperty("jvirt.bench.size"));
        int atOnce = Integer.getInteger("jvirt.bench.vmis", small ? 3 : DEFAULT_AT_ONCE);
        List<Integer> memoryCounts = new ArrayList<>();
        for (String n : System.getProperty("jvirt.bench.memoryVmis", small ? "2" : "10,50").split(",")) {
            if (!n.isBlank()) {
                memoryCounts.add(Integer.parseInt(n.strip()));
            }
        }
        int oneByOne = Integer.getInteger("jvirt.bench.oneByOne", small ? 2 : DEFAULT_ONE_BY_ONE);
        Path image = root.resolve("build/images/demo/demo.qcow2");
        Files.createDirectories(BARE_DIR);
        Files.setPosixFilePermissions(BARE_DIR, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        List<Figure> figures = new ArrayList<>();
        try (JvirtInstance jvirt = JvirtInstance.up(root)) {
            JvirtInstance.Http http = jvirt.http();
            Path pods = jvirt.home().resolve("node/pods");
            // 50 VMIs request 100m each by default: more than 2 cores; the KubeVirt CR's ratio is the knob for that
            jvirt.kubectl(null, "patch", "kubevirt", "kubevirt", "-n", "kubevirt", "--type", "merge", "-p",
                    "{\"spec\":{\"configuration\":{\"developerConfiguration\":{\"cpuAllocationRatio\":100}}}}");
            Thread.sleep(1000);
            Batch warm = Batch.create(http, pods, "warm", 1);
            warm.await(Duration.ofMinutes(3));
            Template template = Template.of(jvirt, warm.podUids.values().iterator().next());
            warm.delete();
            Thread.sleep(5000);
            double idle = ProcMemory.of(jvirt.pid()).pssMiB();

            // the overhead on an otherwise idle machine: one VMI at a time, each deleted before the next
            Map<String, Long> oneCreated = new HashMap<>();
            Map<String, Long> oneQemu = new HashMap<>();
            Map<String, Long> oneRunning = new HashMap<>();
            List<Double> onePodNetwork = new ArrayList<>();
            List<Double> onePodNetworkShare = new ArrayList<>();
            for (int i = 0; i < oneByOne; i++) {
                Batch one = Batch.create(http, pods, "one-" + i, 1);
                one.await(Duration.ofMinutes(3));
                oneCreated.putAll(one.created);
                oneQemu.putAll(one.qemuStarted);
                oneRunning.putAll(one.running);
                one.podNetwork.values().forEach(ms -> onePodNetwork.add((double) ms));
                onePodNetworkShare.addAll(one.podNetworkShare());
                one.delete();
            }
            figures.add(Figure.of("target: 1 at a time create -> QEMU started p50 (issue 14)", "ms", List.of(150.0)));
            figures.add(Figure.of("1 VMI at a time: create -> QEMU started", "ms", millis(oneCreated, oneQemu))
                    .against("target: 1 at a time create -> QEMU started p50 (issue 14)"));
            figures.add(Figure.of("1 VMI at a time: create -> Running", "ms", millis(oneCreated, oneRunning)));
            figures.add(Figure.of("1 VMI at a time: pod network setup (netns + CNI ADD)", "ms", onePodNetwork));
            figures.add(Figure.of("1 VMI at a time: pod network share of create -> Running", "%", onePodNetworkShare));

            List<Double> bareLogin = new ArrayList<>();
            List<BareQemu> bares = new ArrayList<>();
            try {
                for (int i = 0; i < atOnce; i++) {
                    bares.add(template.start(image, BARE_DIR.resolve("boot-" + i)));
                }
                awaitLogin(bares, Duration.ofMinutes(15), bareLogin);
            } finally {
                for (BareQemu b : bares) {
                    b.close();
                }
            }
            figures.add(Figure.of(atOnce + " " + BARE + ": start -> login:", "s", bareLogin));
            Batch batch = Batch.create(http, pods, "at-once", atOnce);
            batch.await(Duration.ofMinutes(15));
            figures.add(Figure.of(atOnce + " VMIs: failed to start", "VMIs", List.of((double) batch.failed.size())));
            figures.add(Figure.of("target: " + atOnce + " at once create -> QEMU started (p50 1 s, p95 2 s)", "ms", List.of(1000.0, 2000.0)));
            figures.add(Figure.of(atOnce + " VMIs: create -> QEMU started", "ms", batch.millis(batch.qemuStarted))
                    .against("target: " + atOnce + " at once create -> QEMU started (p50 1 s, p95 2 s)"));
            figures.add(Figure.of(atOnce + " VMIs: create -> Running", "s", batch.seconds(batch.running)));
            figures.add(Figure.of(atOnce + " VMIs: pod network setup (netns + CNI ADD)", "ms",
                    batch.podNetwork.values().stream().map(ms -> (double) ms).toList()));
            figures.add(Figure.of(atOnce + " VMIs: pod network share of create -> Running", "%", batch.podNetworkShare()));
            figures.add(Figure.of(atOnce + " VMIs: create -> login:", "s", batch.seconds(batch.login))
                    .against(atOnce + " " + BARE + ": start -> login:"));
            batch.delete();

            Thread.sleep(5000);
            figures.add(Figure.of("control-plane PSS with 0 VMIs", "MiB", List.of(ProcMemory.of(jvirt.pid()).pssMiB())));
            for (int n : memoryCounts) {
                // concurrent, not created at once: waves of MEMORY_WAVE, each at login: before the next, so
                // 2 cores of TCG are not starved into guest panics before the measurement
                List<Batch> waves = new ArrayList<>();
                for (int first = 0; first < n; first += MEMORY_WAVE) {
                    Batch wave = Batch.create(http, pods, "mem" + n + "-" + first, Math.min(MEMORY_WAVE, n - first));
                    wave.await(Duration.ofMinutes(20));
                    waves.add(wave);
                }
                Thread.sleep(5000); // settle after boot
                double controlPlane = ProcMemory.of(jvirt.pid()).pssMiB();
                double agentShare = Math.max(0, controlPlane - idle) / n;
                List<Double> qemu = new ArrayList<>();
                List<Double> total = new ArrayList<>();
                figures.add(Figure.of(n + " VMIs: failed to start", "VMIs",
                        List.of((double) waves.stream().mapToInt(w -> w.failed.size()).sum())));
                for (Batch m : waves) {
                    for (var e : m.podUids.entrySet()) {
                        if (!m.login.containsKey(e.getKey())) {
                            continue; // failed: not a running VMI
                        }
                        for (long pid : cgroupPids(e.getValue())) {
                            double q = ProcMemory.of(pid).pssMiB() - guestRamPssMiB(pid);
                            qemu.add(q);
                            total.add(q + agentShare);
                        }
                    }
                }
                for (Batch m : waves) {
                    m.delete();
                }
                List<Double> bareQemu = bareMemory(template, image, n);
                figures.add(Figure.of(n + " " + BARE_MEMORY, "MiB", bareQemu));
                figures.add(Figure.of("control-plane PSS with " + n + " VMIs", "MiB", List.of(controlPlane)));
                figures.add(Figure.of(n + " VMIs: control plane growth per VMI", "MiB", List.of(agentShare)));
                figures.add(Figure.of(n + " VMIs: QEMU PSS without guest RAM", "MiB", qemu).against(n + " " + BARE_MEMORY));
                figures.add(Figure.of(n + " VMIs: memory per VMI beyond guest RAM", "MiB", total).against(n + " " + BARE_MEMORY));
            }
        }
        return figures;
    }

    /** PSS without the guest's RAM of {@code n} bare QEMUs running at once, in waves like the VMIs, each at login:. */
    private static List<Double> bareMemory(Template template, Path image, int n) throws Exception {
        List<BareQemu> bares = new ArrayList<>();
        try {
            for (int first = 0; first < n; first += MEMORY_WAVE) {
                List<BareQemu> wave = new ArrayList<>();
                for (int i = first; i < Math.min(n, first + MEMORY_WAVE); i++) {
                    wave.add(template.start(image, BARE_DIR.resolve("mem-" + i)));
                }
                bares.addAll(wave);
                awaitLogin(wave, Duration.ofMinutes(20), new ArrayList<>());
            }
            Thread.sleep(5000);
            List<Double> pss = new ArrayList<>();
            for (BareQemu b : bares) {
                pss.add(ProcMemory.of(b.process.pid()).pssMiB() - guestRamPssMiB(b.process.pid()));
            }
            return pss;
        } finally {
            for (BareQemu b : bares) {
                b.close();
            }
        }
    }

    /** Waits until every bare QEMU's console said {@code login:}; adds each one's start → login: in seconds. */
    private static void awaitLogin(List<BareQemu> bares, Duration timeout, List<Double> seconds) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        java.util.Set<BareQemu> waiting = new java.util.HashSet<>(bares);
        while (!waiting.isEmpty()) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException(waiting.size() + " bare QEMUs not at login: after " + timeout);
            }
            long now = System.currentTimeMillis();
            for (BareQemu b : List.copyOf(waiting)) {
                if (b.atLogin()) {
                    seconds.add((now - b.startedAtMs) / 1000.0);
                    waiting.remove(b);
                } else if (!b.process.isAlive()) {
                    throw new IllegalStateException("bare QEMU exited: " + Files.readString(b.runDirectory.resolve("qemu.log")));
                }
            }
            Thread.sleep(100);
        }
    }

    /** The argv of a VMI the node agent ran, with the paths to move for a bare QEMU. */
    private record Template(List<String> argv, String run, String disk) {
        static Template of(JvirtInstance jvirt, String podUid) throws IOException {
            Path podDir = jvirt.home().resolve("node/pods").resolve(podUid);
            return new Template(BareQemu.argvOf(podDir), hostDir(Path.of("/run/jvirt"), podUid).toString(),
                    jvirt.home().resolve("node/disks").resolve(podUid).resolve("containerdisk.qcow2").toString());
        }

        BareQemu start(Path image, Path dir) throws Exception {
            return BareQemu.start(argv, run, disk, image, dir);
        }
    }

    /** One set of VMIs created at the same moment, and when each reached each milestone (epoch ms). */
    private static final class Batch {
        final String prefix;
        final JvirtInstance.Http http;
        final Map<String, Long> created = new ConcurrentHashMap<>();
        final Map<String, Long> running = new HashMap<>();
        final Map<String, Long> login = new HashMap<>();
        final Map<String, Long> qemuStarted = new HashMap<>();
        final Map<String, String> podUids = new HashMap<>();
        /** The pod network's setup (netns + CNI ADD) in ms, from the agent's "started in" line in the pod's log. */
        final Map<String, Long> podNetwork = new HashMap<>();
        final Path pods;
        /** VMIs that went Failed (name -> reason): counted and reported, not measured. */
        final Map<String, String> failed = new HashMap<>();

        private Batch(JvirtInstance.Http http, Path pods, String prefix) {
            this.http = http;
            this.pods = pods;
            this.prefix = prefix;
        }

        static Batch create(JvirtInstance.Http http, Path pods, String prefix, int n) throws Exception {
            Batch b = new Batch(http, pods, prefix);
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            List<Exception> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
            for (int i = 0; i < n; i++) {
                String name = prefix + "-" + i;
                String body = manifest(name, prefix);
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        go.await();
                        b.created.put(name, System.currentTimeMillis());
                        http.send("POST", VMIS, body);
                    } catch (Exception e) {
                        failures.add(e);
                    }
                }));
            }
            Thread.sleep(200);
            go.countDown();
            for (Thread t : threads) {
                t.join();
            }
            if (!failures.isEmpty()) {
                throw failures.getFirst();
            }
            return b;
        }

        /** Polls the API and the host until every VMI is Running, its QEMU started and its console said {@code login:}. */
        void await(Duration timeout) throws Exception {
            Instant deadline = Instant.now().plus(timeout);
            double bootEpochMs = System.currentTimeMillis() - Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split(" ")[0]) * 1000;
            while (login.size() + failed.size() < created.size()) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException(prefix + ": only " + login.size() + " of " + created.size() + " VMIs reached login: in " + timeout);
                }
                long now = System.currentTimeMillis();
                Map<String, String> vmiUids = new HashMap<>();
                for (JsonNode v : JSON.readTree(http.send("GET", VMIS + "?labelSelector=bench%3D" + prefix, null)).path("items")) {
                    String name = v.path("metadata").path("name").asText();
                    vmiUids.put(v.path("metadata").path("uid").asText(), name);
                    String phase = v.path("status").path("phase").asText();
                    if (phase.equals("Running")) {
                        running.putIfAbsent(name, now);
                    } else if (phase.equals("Failed") && failed.putIfAbsent(name, v.path("status").path("reason").asText()) == null) {
                        System.err.println("bench: VMI " + name + " failed: " + v.path("status").path("reason").asText());
                    }
                }
                for (JsonNode p : JSON.readTree(http.send("GET", "/api/v1/namespaces/default/pods?labelSelector=kubevirt.io%3Dvirt-launcher", null)).path("items")) {
                    String vmi = vmiUids.get(p.path("metadata").path("labels").path("kubevirt.io/created-by").asText());
                    if (vmi != null) {
                        podUids.putIfAbsent(vmi, p.path("metadata").path("uid").asText());
                    }
                }
                for (var e : podUids.entrySet()) {
                    String vmi = e.getKey();
                    if (!qemuStarted.containsKey(vmi)) {
                        for (long pid : cgroupPids(e.getValue())) {
                            if (comm(pid).startsWith("qemu-system")) {
                                qemuStarted.put(vmi, Math.round(bootEpochMs + startTicks(pid) * 10.0));
                            }
                        }
                    }
                    Path log = pods.resolve(e.getValue()).resolve("compute.log");
                    if (!podNetwork.containsKey(vmi) && Files.exists(log)) {
                        java.util.regex.Matcher m = POD_NETWORK.matcher(Files.readString(log, java.nio.charset.StandardCharsets.ISO_8859_1));
                        if (m.find()) {
                            podNetwork.put(vmi, Long.parseLong(m.group(1)));
                        }
                    }
                    Path serial = hostDir(Path.of("/run/jvirt"), e.getValue()).resolve("serial.log");
                    if (login.containsKey(vmi) || failed.containsKey(vmi) || !Files.exists(serial)) {
                        continue;
                    }
                    String console = Files.readString(serial, java.nio.charset.StandardCharsets.ISO_8859_1);
                    if (console.contains("login:")) {
                        login.put(vmi, now);
                    }
                }
                Thread.sleep(100);
            }
        }

        /** Each VMI's pod network setup as a percentage of its create → Running. */
        List<Double> podNetworkShare() {
            List<Double> out = new ArrayList<>();
            podNetwork.forEach((vmi, ms) -> {
                if (running.containsKey(vmi)) {
                    out.add(100.0 * ms / (running.get(vmi) - created.get(vmi)));
                }
            });
            return out;
        }

        List<Double> seconds(Map<String, Long> at) {
            return millis(at).stream().map(ms -> ms / 1000.0).toList();
        }

        List<Double> millis(Map<String, Long> at) {
            return LifecycleBench.millis(created, at);
        }

        void delete() throws Exception {
            http.send("DELETE", VMIS + "?labelSelector=bench%3D" + prefix, null);
            Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
            while (!JSON.readTree(http.send("GET", VMIS + "?labelSelector=bench%3D" + prefix, null)).path("items").isEmpty()
                    || podUids.values().stream().anyMatch(uid -> Files.exists(hostDir(Path.of("/sys/fs/cgroup/memory/jvirt"), uid)))) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException(prefix + ": VMIs or their pods still there 3 minutes after delete");
                }
                Thread.sleep(500);
            }
        }
    }

    /** The pod network step of the agent's line in a pod's log ({@code started in N ms: …, pod network M ms, …}). */
    private static final java.util.regex.Pattern POD_NETWORK = java.util.regex.Pattern.compile("started in \\d+ ms: .*pod network (\\d+) ms");

    private static List<Double> millis(Map<String, Long> created, Map<String, Long> at) {
        List<Double> out = new ArrayList<>();
        at.forEach((name, t) -> out.add((double) (t - created.get(name))));
        return out;
    }

    private static String manifest(String name, String prefix) {
        ObjectNode vmi = JSON.createObjectNode().put("apiVersion", "kubevirt.io/v1").put("kind", "VirtualMachineInstance");
        vmi.putObject("metadata").put("name", name).putObject("labels").put("bench", prefix);
        ObjectNode spec = vmi.putObject("spec");
        ObjectNode domain = spec.putObject("domain");
        domain.putObject("devices").putArray("disks").addObject().put("name", "containerdisk").putObject("disk").put("bus", "virtio");
        domain.putObject("memory").put("guest", GUEST);
        spec.put("terminationGracePeriodSeconds", 0);
        spec.putArray("volumes").addObject().put("name", "containerdisk").putObject("containerDisk")
                .put("image", "registry:5000/kubevirt/cirros-container-disk-demo:devel");
        return vmi.toString();
    }

    /**
     * The node agent's directory of pod {@code podUid} under {@code parent} (cgroups and run directories are
     * named {@code <instance id>-<pod uid>}); a path that does not exist when there is none.
     */
    static Path hostDir(Path parent, String podUid) {
        try (java.util.stream.Stream<Path> dirs = Files.list(parent)) {
            return dirs.filter(d -> d.getFileName().toString().endsWith("-" + podUid)).findFirst().orElse(parent.resolve("none-" + podUid));
        } catch (IOException e) {
            return parent.resolve("none-" + podUid);
        }
    }

    /** Pids in the pod's memory cgroup, or in the cgroup named {@code name} under the jvirt parent. */
    static List<Long> cgroupPids(String podUid) {
        try {
            return Files.readAllLines(hostDir(Path.of("/sys/fs/cgroup/memory/jvirt"), podUid).resolve("cgroup.procs")).stream()
                    .filter(l -> !l.isBlank()).map(l -> Long.parseLong(l.strip())).toList();
        } catch (IOException gone) {
            return List.of();
        }
    }

    static String comm(long pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/comm")).strip();
        } catch (IOException gone) {
            return "";
        }
    }

    /** Field 22 of /proc/PID/stat: start time in clock ticks (100 per second) after boot. */
    private static long startTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[19]);
    }

    /** PSS of QEMU's guest-RAM mapping: the anonymous mapping of the guest's size in /proc/PID/smaps. */
    static double guestRamPssMiB(long pid) throws IOException {
        long best = 0;
        long size = -1;
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/smaps"))) {
            if (line.startsWith("Size:")) {
                size = Long.parseLong(line.replaceAll("[^0-9]", ""));
            } else if (line.startsWith("Pss:") && size >= GUEST_KIB && size <= GUEST_KIB + 4096) {
                best = Math.max(best, Long.parseLong(line.replaceAll("[^0-9]", "")));
            }
        }
        return best / 1024.0;
    }
}
