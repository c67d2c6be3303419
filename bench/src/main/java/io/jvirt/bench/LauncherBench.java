package io.jvirt.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.launcher.LauncherMain;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The launcher under TCG with the demo guest's kernel-boot pair (uncompressed PVH {@code
 * demo-vmlinux} + {@code demo-initrd}, 96 MiB (the smallest that boots this 55 MB kernel image; 64 and 80 MiB print nothing), no disk, no NIC, no graphics): launcher process
 * start → RUNNING event on its socket and → {@code login:} in its {@code serial.log}, against plain
 * QEMU started directly with the argv the launcher built (minus {@code -S}), rounds interleaved;
 * resident memory (smaps_rollup) at the login prompt against KubeVirt's fixed per-VM allowance;
 * and the launcher's PSS with four launchers running at once (the CDS archive shared).
 */
final class LauncherBench implements Benchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ROUNDS = 10;
    private static final int CONCURRENT = 4;
    private static final long ROUND_TIMEOUT_SECONDS = 180;
    private static final byte[] LOGIN = "login:".getBytes(StandardCharsets.US_ASCII);
    private static final Pattern LAUNCHER_DEPS = Pattern.compile("(jvirt-(launcher|api|qemu)|jackson-|snakeyaml).*\\.jar");

    static final String TO_RUNNING = "launcher start -> Running";
    static final String TO_LOGIN = "launcher start -> login:";
    static final String PLAIN_TO_LOGIN = "plain QEMU start -> login:";
    /** KubeVirt's GetMemoryOverhead constants: virt-launcher-monitor 25 + virt-launcher 100 + virtlogd 25 + virtqemud 40 + QEMU 50 MiB. */
    static final String KUBEVIRT_ALL = "KubeVirt fixed allowance (240)";
    static final String KUBEVIRT_NO_QEMU = "KubeVirt allowance w/o QEMU (190)";
    static final String KUBEVIRT_WITH_GUEST = "KubeVirt allowance + 96 MiB guest";
    private static final int GUEST_MIB = 96;
    static final String TARGET = "target: launcher <= 40 MiB";

    @Override
    public String name() {
        return "launcher";
    }

    @Override
    public String description() {
        return "launcher JVM + QEMU (TCG, 96 MiB kernel-boot guest): start -> Running / login:, "
                + ROUNDS + " rounds vs plain QEMU; memory at login vs KubeVirt's 240 MiB allowance";
    }

    @Override
    public List<Figure> run() throws Exception {
        Path demo = Path.of(System.getProperty("jvirt.build.dir", "build"), "images", "demo");
        Path tmp = Files.createTempDirectory("jvirt-bench-launcher");
        Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x")); // QEMU (uid 107) reaches its run directory
        try {
            return measure(demo, tmp);
        } finally {
            TempTree.delete(tmp);
        }
    }

    private List<Figure> measure(Path demo, Path tmp) throws Exception {
        List<String> classPath = launcherClassPath();
        List<String> cds = LauncherMain.cdsOptions(tmp.resolve("launcher.jsa"));
        Map<String, List<Double>> s = new LinkedHashMap<>();
        // unmeasured warm-up: creates the AppCDS archive (written when the launcher exits), fills the page cache
        Path warmRun = tmp.resolve("warm").resolve("run");
        List<String> argv = launcherRound(demo, tmp.resolve("warm"), classPath, cds, new LinkedHashMap<>());
        for (int round = 0; round < ROUNDS; round++) {
            launcherRound(demo, tmp.resolve("l" + round), classPath, cds, s);
            plainRound(argv, warmRun, tmp.resolve("p" + round), s);
        }
        concurrent(demo, tmp, classPath, cds, s);

        List<Figure> f = new ArrayList<>();
        f.add(Figure.of(PLAIN_TO_LOGIN, "s", s.get(PLAIN_TO_LOGIN)));
        f.add(Figure.of(TO_RUNNING, "s", s.get(TO_RUNNING)));
        f.add(Figure.of(TO_LOGIN, "s", s.get(TO_LOGIN)).against(PLAIN_TO_LOGIN));
        f.add(Figure.of(KUBEVIRT_ALL, "MiB", List.of(25.0 + 100 + 25 + 40 + 50)));
        f.add(Figure.of(KUBEVIRT_NO_QEMU, "MiB", List.of(25.0 + 100 + 25 + 40)));
        f.add(Figure.of(KUBEVIRT_WITH_GUEST, "MiB", List.of(240.0 + GUEST_MIB)));
        f.add(Figure.of(TARGET, "MiB", List.of(40.0)));
        f.add(Figure.of("launcher JVM RSS", "MiB", s.get("launcher RSS")).against(KUBEVIRT_NO_QEMU));
        f.add(Figure.of("launcher JVM PSS", "MiB", s.get("launcher PSS")).against(TARGET));
        f.add(Figure.of("plain QEMU RSS", "MiB", s.get("plain QEMU RSS")));
        f.add(Figure.of("QEMU RSS (under launcher)", "MiB", s.get("QEMU RSS")).against("plain QEMU RSS"));
        f.add(Figure.of("QEMU PSS (under launcher)", "MiB", s.get("QEMU PSS")));
        // QEMU's resident set holds the guest's touched RAM (and the 32 MiB TCG cache); KubeVirt's pod holds guest RAM plus the allowance
        f.add(Figure.of("launcher + QEMU RSS", "MiB", s.get("total RSS")).against(KUBEVIRT_WITH_GUEST));
        f.add(Figure.of("launcher + QEMU PSS", "MiB", s.get("total PSS")).against(KUBEVIRT_WITH_GUEST));
        f.add(Figure.of(CONCURRENT + " at once: launcher JVM RSS", "MiB", s.get("concurrent RSS")).against("launcher JVM RSS"));
        f.add(Figure.of(CONCURRENT + " at once: launcher JVM PSS", "MiB", s.get("concurrent PSS")).against("launcher JVM PSS"));
        return f;
    }

    /** One launcher: start → Running → login:, memory at login; returns the argv it gave QEMU. */
    private static List<String> launcherRound(Path demo, Path dir, List<String> classPath, List<String> cds,
            Map<String, List<Double>> s) throws Exception {
        Files.createDirectories(dir);
        try (LauncherRun l = LauncherRun.start(request(demo, dir.resolve("run")), dir, classPath, cds)) {
            CompletableFuture<Void> watchdog = watchdog(l.process);
            try {
                l.connect(java.time.Duration.ofSeconds(ROUND_TIMEOUT_SECONDS));
                l.call("Start");
                l.awaitState("RUNNING");
                add(s, TO_RUNNING, (System.nanoTime() - l.startNanos) / 1e9);
                long qemu = l.qemuPid();
                awaitLogin(l.runDirectory.resolve("serial.log"), () -> l.process.isAlive());
                add(s, TO_LOGIN, (System.nanoTime() - l.startNanos) / 1e9);
                ProcMemory launcher = ProcMemory.of(l.process.pid());
                ProcMemory q = ProcMemory.of(qemu);
                add(s, "launcher RSS", launcher.rssMiB());
                add(s, "launcher PSS", launcher.pssMiB());
                add(s, "QEMU RSS", q.rssMiB());
                add(s, "QEMU PSS", q.pssMiB());
                add(s, "total RSS", launcher.rssMiB() + q.rssMiB());
                add(s, "total PSS", launcher.pssMiB() + q.pssMiB());
                return l.argv();
            } catch (IOException e) {
                throw new IOException(e.getMessage() + "; launcher stderr: " + l.stderr(), e);
            } finally {
                watchdog.cancel(true);
            }
        }
    }

    /** QEMU alone on the launcher's argv (paths moved to a fresh directory, CPUs not stopped): start → login:. */
    private static void plainRound(List<String> launcherArgv, Path launcherRun, Path dir, Map<String, List<Double>> s) throws Exception {
        Path run = dir.resolve("run");
        Files.createDirectories(run);
        List<String> argv = new ArrayList<>();
        for (String a : launcherArgv) {
            if (!a.equals("-S")) {
                argv.add(a.replace(launcherRun.toString(), run.toString()));
            }
        }
        long start = System.nanoTime();
        Process qemu = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(dir.resolve("qemu.out").toFile()).start();
        CompletableFuture<Void> watchdog = watchdog(qemu);
        try {
            awaitLogin(run.resolve("serial.log"), qemu::isAlive);
            add(s, PLAIN_TO_LOGIN, (System.nanoTime() - start) / 1e9);
            add(s, "plain QEMU RSS", ProcMemory.of(qemu.pid()).rssMiB());
        } catch (IOException e) {
            throw new IOException(e.getMessage() + "; argv " + String.join(" ", argv) + "; output: "
                    + Files.readString(dir.resolve("qemu.out")), e);
        } finally {
            watchdog.cancel(true);
            qemu.destroyForcibly();
            qemu.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** {@link #CONCURRENT} launchers at once, each guest at login: memory per launcher. */
    private static void concurrent(Path demo, Path tmp, List<String> classPath, List<String> cds, Map<String, List<Double>> s) throws Exception {
        List<LauncherRun> runs = new ArrayList<>();
        List<CompletableFuture<Void>> watchdogs = new ArrayList<>();
        try {
            for (int i = 0; i < CONCURRENT; i++) {
                Path dir = tmp.resolve("c" + i);
                Files.createDirectories(dir);
                LauncherRun l = LauncherRun.start(request(demo, dir.resolve("run")), dir, classPath, cds);
                runs.add(l);
                watchdogs.add(watchdog(l.process));
            }
            for (LauncherRun l : runs) {
                l.connect(java.time.Duration.ofSeconds(ROUND_TIMEOUT_SECONDS));
                l.call("Start");
                l.qemuPid();
            }
            for (LauncherRun l : runs) {
                awaitLogin(l.runDirectory.resolve("serial.log"), () -> l.process.isAlive());
            }
            for (LauncherRun l : runs) {
                ProcMemory m = ProcMemory.of(l.process.pid());
                add(s, "concurrent RSS", m.rssMiB());
                add(s, "concurrent PSS", m.pssMiB());
            }
        } finally {
            watchdogs.forEach(w -> w.cancel(true));
            for (LauncherRun l : runs) {
                l.close();
            }
        }
    }

    /** The launch request: the kernel-boot pair, 96 MiB, no devices beyond the serial console. */
    private static ObjectNode request(Path demo, Path runDirectory) throws IOException {
        ObjectNode vmi = JSON.createObjectNode().put("apiVersion", "kubevirt.io/v1").put("kind", "VirtualMachineInstance");
        vmi.putObject("metadata").put("name", "bench").put("namespace", "bench").put("uid", "5b0f7e2c-0c1a-4d8e-9f3b-1a2b3c4d5e6f");
        vmi.set("spec", JSON.readTree("""
            {"domain": {"memory": {"guest": "96Mi"},
                        "firmware": {"kernelBoot": {"kernelArgs": "console=ttyS0 quiet",
                                     "container": {"image": "registry:5000/jvirt/demo-kernel:latest",
                                                   "kernelPath": "/boot/vmlinux", "initrdPath": "/boot/initrd"}}},
                        "devices": {"autoattachGraphicsDevice": false}},
             "terminationGracePeriodSeconds": 0}
            """));
        ObjectNode request = JSON.createObjectNode();
        request.set("vmi", vmi);
        request.put("runDirectory", runDirectory.toString()).put("accel", "TCG").put("tcgTranslationCacheMiB", 32)
                .put("qemuUser", "107:107"); // as the node agent runs it: QEMU never as root
        request.putObject("kernel").put("kernel", demo.resolve("demo-vmlinux").toAbsolutePath().toString())
                .put("initrd", demo.resolve("demo-initrd").toAbsolutePath().toString());
        return request;
    }

    /** The launcher's jars (and its libraries') from the bench's runtime library directory. */
    private static List<String> launcherClassPath() throws Exception {
        Path lib = Path.of(LauncherMain.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getParent();
        try (Stream<Path> jars = Files.list(lib)) {
            List<String> cp = jars.filter(p -> LAUNCHER_DEPS.matcher(p.getFileName().toString()).matches()).map(Path::toString).sorted().toList();
            if (cp.stream().noneMatch(p -> p.contains("jvirt-launcher"))) {
                throw new IOException("jvirt-launcher jar not found in " + lib + " (run through bench/run)");
            }
            return cp;
        }
    }

    /** Polls {@code log} (written by QEMU's serial chardev) until it holds {@code login:}. */
    private static void awaitLogin(Path log, java.util.function.BooleanSupplier alive) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ROUND_TIMEOUT_SECONDS);
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && contains(Files.readAllBytes(log), LOGIN)) {
                return;
            }
            if (!alive.getAsBoolean()) {
                throw new IOException("process ended before 'login:' in " + log);
            }
            Thread.sleep(10);
        }
        throw new IOException("no 'login:' in " + log + " within " + ROUND_TIMEOUT_SECONDS + " s");
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** Kills {@code p} if the round is still going after {@link #ROUND_TIMEOUT_SECONDS} plus a margin (unblocks socket reads). */
    private static CompletableFuture<Void> watchdog(Process p) {
        return CompletableFuture.runAsync(p::destroyForcibly,
                CompletableFuture.delayedExecutor(ROUND_TIMEOUT_SECONDS + 30, TimeUnit.SECONDS));
    }

    private static void add(Map<String, List<Double>> s, String key, double value) {
        s.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
    }
}
