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
 * {@code bench/run lifecycle}: issue 5's figures against {@code ./jvirt up}. (A) {@value #DEFAULT_AT_ONCE}
 * VMIs created at once: create → phase Running, create → {@code login:} on the serial console, and the
 * control-plane overhead create → QEMU process started (its start time from /proc, not polled), compared
 * with the target. (B) Memory per running VMI beyond the guest's RAM for 10 and 50 VMIs: launcher
 * PSS + QEMU PSS without the guest-RAM mapping + the control-plane process's growth per VMI, beside
 * KubeVirt's published per-VM allowance. (C) The overhead without contention: {@value #DEFAULT_ONE_BY_ONE} VMIs
 * one at a time, create → QEMU started and → Running. Sizes: {@code -Djvirt.bench.vmis=N},
 * {@code -Djvirt.bench.memoryVmis=10,50} (empty: none), {@code -Djvirt.bench.oneByOne=N}.
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
    private static final String TARGET = "target: overhead p50 (issue 5)";
    private static final String KUBEVIRT = "KubeVirt per-VM allowance (published, not measured)";

    @Override
    public String name() {
        return "lifecycle";
    }

    @Override
    public String description() {
        return "VMIs created at once: create -> Running / login: / QEMU started; memory per VMI beyond guest RAM (guest " + GUEST + ")";
    }

    @Override
    public List<Figure> run() throws Exception {
        Path root = Path.of(System.getProperty("jvirt.build.dir", "build")).toAbsolutePath().getParent();
        int atOnce = Integer.getInteger("jvirt.bench.vmis", DEFAULT_AT_ONCE);
        List<Integer> memoryCounts = new ArrayList<>();
        for (String n : System.getProperty("jvirt.bench.memoryVmis", "10,50").split(",")) {
            if (!n.isBlank()) {
                memoryCounts.add(Integer.parseInt(n.strip()));
            }
        }
        int oneByOne = Integer.getInteger("jvirt.bench.oneByOne", DEFAULT_ONE_BY_ONE);
        List<Figure> figures = new ArrayList<>();
        try (JvirtInstance jvirt = JvirtInstance.up(root)) {
            JvirtInstance.Http http = jvirt.http();
            // 50 VMIs request 100m each by default: more than 2 cores; the KubeVirt CR's ratio is the knob for that
            jvirt.kubectl(null, "patch", "kubevirt", "kubevirt", "-n", "kubevirt", "--type", "merge", "-p",
                    "{\"spec\":{\"configuration\":{\"developerConfiguration\":{\"cpuAllocationRatio\":100}}}}");
            Thread.sleep(1000);
            Batch warm = Batch.create(http, "warm", 1);
            warm.await(Duration.ofMinutes(3));
            warm.delete();

            // the overhead on an otherwise idle machine: one VMI at a time, each deleted before the next
            Map<String, Long> oneCreated = new HashMap<>();
            Map<String, Long> oneQemu = new HashMap<>();
            Map<String, Long> oneRunning = new HashMap<>();
            for (int i = 0; i < oneByOne; i++) {
                Batch one = Batch.create(http, "one-" + i, 1);
                one.await(Duration.ofMinutes(3));
                oneCreated.putAll(one.created);
                oneQemu.putAll(one.qemuStarted);
                oneRunning.putAll(one.running);
                one.delete();
            }
            figures.add(Figure.of(TARGET, "ms", List.of(300.0)));
            figures.add(Figure.of("1 VMI at a time: create -> QEMU started", "ms", millis(oneCreated, oneQemu)).against(TARGET));
            figures.add(Figure.of("1 VMI at a time: create -> Running", "ms", millis(oneCreated, oneRunning)));

            Batch batch = Batch.create(http, "at-once", atOnce);
            batch.await(Duration.ofMinutes(15));
            figures.add(Figure.of(atOnce + " VMIs: failed to start", "VMIs", List.of((double) batch.failed.size())));
            figures.add(Figure.of(atOnce + " VMIs: create -> Running", "s", batch.seconds(batch.running)));
            figures.add(Figure.of(atOnce + " VMIs: create -> login:", "s", batch.seconds(batch.login)));
            figures.add(Figure.of(atOnce + " VMIs: create -> QEMU started", "ms", batch.millis(batch.qemuStarted)).against(TARGET));
            batch.delete();

            figures.add(Figure.of(KUBEVIRT, "MiB", List.of(240.0)));
            Thread.sleep(5000);
            double idle = ProcMemory.of(jvirt.pid()).pssMiB();
            for (int n : memoryCounts) {
                // concurrent, not created at once: waves of MEMORY_WAVE, each at login: before the next, so
                // 2 cores of TCG are not starved into guest panics before the measurement
                List<Batch> waves = new ArrayList<>();
                for (int first = 0; first < n; first += MEMORY_WAVE) {
                    Batch wave = Batch.create(http, "mem" + n + "-" + first, Math.min(MEMORY_WAVE, n - first));
                    wave.await(Duration.ofMinutes(20));
                    waves.add(wave);
                }
                Thread.sleep(5000); // settle after boot
                double standby = standbyPssMiB();
                double agentShare = (Math.max(0, ProcMemory.of(jvirt.pid()).pssMiB() - idle) + standby) / n;
                List<Double> launcher = new ArrayList<>();
                List<Double> qemu = new ArrayList<>();
                List<Double> total = new ArrayList<>();
                figures.add(Figure.of(n + " VMIs: failed to start", "VMIs",
                        List.of((double) waves.stream().mapToInt(w -> w.failed.size()).sum())));
                for (Batch m : waves) {
                    for (var e : m.podUids.entrySet()) {
                        if (!m.login.containsKey(e.getKey())) {
                            continue; // failed: not a running VMI
                        }
                        String podUid = e.getValue();
                        double l = 0;
                        double q = 0;
                        for (long pid : cgroupPids(podUid)) {
                            if (comm(pid).startsWith("qemu-system")) {
                                q += ProcMemory.of(pid).pssMiB() - guestRamPssMiB(pid);
                            } else {
                                l += ProcMemory.of(pid).pssMiB();
                            }
                        }
                        launcher.add(l);
                        qemu.add(q);
                        total.add(l + q + agentShare);
                    }
                }
                figures.add(Figure.of(n + " VMIs: launcher PSS per VMI", "MiB", launcher));
                figures.add(Figure.of(n + " VMIs: QEMU PSS without guest RAM", "MiB", qemu));
                figures.add(Figure.of(n + " VMIs: standby launcher PSS (per node)", "MiB", List.of(standby)));
                figures.add(Figure.of(n + " VMIs: control plane growth + standby per VMI", "MiB", List.of(agentShare)));
                figures.add(Figure.of(n + " VMIs: memory per VMI beyond guest RAM", "MiB", total).against(KUBEVIRT));
                for (Batch m : waves) {
                    m.delete();
                }
            }
        }
        return figures;
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
        /** VMIs that went Failed (name -> reason): counted and reported, not measured. */
        final Map<String, String> failed = new HashMap<>();

        private Batch(JvirtInstance.Http http, String prefix) {
            this.http = http;
            this.prefix = prefix;
        }

        static Batch create(JvirtInstance.Http http, String prefix, int n) throws Exception {
            Batch b = new Batch(http, prefix);
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
                    Path serial = hostDir(Path.of("/run/jvirt"), e.getValue()).resolve("serial.log");
                    if (login.containsKey(vmi) || failed.containsKey(vmi) || !Files.exists(serial)) {
                        continue;
                    }
                    String console = Files.readString(serial, java.nio.charset.StandardCharsets.ISO_8859_1);
                    if (console.contains("login:")) {
                        login.put(vmi, now);
                    } else if (console.contains("Kernel panic")) { // no pvpanic device: the VMI stays Running
                        failed.put(vmi, "guest kernel panic");
                        System.err.println("bench: VMI " + vmi + ": guest kernel panic (starved of CPU under TCG?)");
                    }
                }
                Thread.sleep(100);
            }
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

    /** PSS of the node agent's standby launcher pod(s) ({@code standby-*} cgroups): a per-node cost shared by the VMIs. */
    static double standbyPssMiB() throws IOException {
        List<Long> pids;
        try (java.util.stream.Stream<Path> cgroups = Files.list(Path.of("/sys/fs/cgroup/memory/jvirt"))) {
            pids = cgroups.map(c -> c.getFileName().toString()).filter(name -> name.contains("-standby-"))
                    .flatMap(name -> cgroupPids(name.substring(name.indexOf('-') + 1)).stream()).toList();
        }
        double sum = 0;
        for (long pid : pids) {
            sum += ProcMemory.of(pid).pssMiB();
        }
        return sum;
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
