package io.jvirt.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** What runs on this host for a VMI: its launcher pod's memory cgroup and the QEMU process in it. */
final class Guests {
    private Guests() {
    }

    /**
     * The QEMU process of launcher pod {@code podUid} (found in the pod's cgroup, which the node agent names
     * {@code jvirt/<instance id>-<pod uid>}), if it runs.
     */
    static Optional<ProcessHandle> qemu(String podUid) throws IOException {
        Path procs;
        try (java.util.stream.Stream<Path> cgroups = Files.list(Path.of("/sys/fs/cgroup/memory/jvirt"))) {
            Optional<Path> cgroup = cgroups.filter(c -> c.getFileName().toString().endsWith("-" + podUid)).findFirst();
            if (cgroup.isEmpty()) {
                return Optional.empty();
            }
            procs = cgroup.get().resolve("cgroup.procs");
        } catch (IOException e) {
            return Optional.empty();
        }
        if (!Files.exists(procs)) {
            return Optional.empty();
        }
        List<String> pids;
        try {
            pids = Files.readAllLines(procs);
        } catch (IOException e) {
            return Optional.empty(); // the cgroup went away while reading
        }
        for (String pid : pids) {
            if (comm(pid).startsWith("qemu-system")) {
                return ProcessHandle.of(Long.parseLong(pid.strip()));
            }
        }
        return Optional.empty();
    }

    /** The uid of VMI {@code vmiUid}'s launcher pod, or null before it exists. */
    static String podUidOf(Api api, String vmiUid) throws Exception {
        JsonNode pods = api.get("/api/v1/namespaces/default/pods?labelSelector=kubevirt.io%2Fcreated-by%3D" + vmiUid).path("items");
        return pods.isEmpty() ? null : pods.get(0).path("metadata").path("uid").asText();
    }

    /** The run directory (QEMU's qmp.sock, serial.sock, vnc.sock) of launcher pod {@code podUid}: {@code /run/jvirt/<instance id>-<pod uid>}. */
    static Path runDirectory(String podUid) throws IOException {
        try (java.util.stream.Stream<Path> dirs = Files.list(Path.of("/run/jvirt"))) {
            return dirs.filter(d -> d.getFileName().toString().endsWith("-" + podUid)).findFirst()
                    .orElseThrow(() -> new AssertionError("no run directory of pod " + podUid));
        }
    }

    /** Every process in this host's jvirt pod cgroups ({@code jvirt/<instance id>-<pod uid>}) of instance {@code instanceId}. */
    static List<Long> podProcesses(String instanceId) throws IOException {
        List<Long> pids = new java.util.ArrayList<>();
        try (java.util.stream.Stream<Path> cgroups = Files.list(Path.of("/sys/fs/cgroup/memory/jvirt"))) {
            for (Path c : cgroups.filter(c -> c.getFileName().toString().startsWith(instanceId + "-")).toList()) {
                try {
                    Files.readAllLines(c.resolve("cgroup.procs")).stream().filter(l -> !l.isBlank()).forEach(l -> pids.add(Long.parseLong(l.strip())));
                } catch (IOException gone) {
                    // the pod ended meanwhile
                }
            }
        }
        return pids;
    }

    /** True when {@code pid} is a QEMU system emulator. */
    static boolean isQemu(long pid) {
        return comm(Long.toString(pid)).startsWith("qemu-system");
    }

    /** The QEMU process of VMI {@code vmiUid}, waiting up to 30 s for its launcher pod to start it. */
    static ProcessHandle qemuOf(Api api, String vmiUid) throws Exception {
        return Waits.until("QEMU of VMI " + vmiUid, Duration.ofSeconds(30), () -> {
            JsonNode pods = api.get("/api/v1/namespaces/default/pods?labelSelector=kubevirt.io%2Fcreated-by%3D" + vmiUid).path("items");
            return pods.isEmpty() ? null : qemu(pods.get(0).path("metadata").path("uid").asText()).orElse(null);
        });
    }

    static void kill9(ProcessHandle p) throws Exception {
        new ProcessBuilder("kill", "-9", Long.toString(p.pid())).start().waitFor();
    }

    private static String comm(String pid) {
        try {
            return Files.readString(Path.of("/proc", pid.strip(), "comm")).strip();
        } catch (IOException e) {
            return "";
        }
    }

    /** The body of an HTTP GET of {@code url} (3 s to connect, 10 s in all); empty when it fails, for waits to poll. */
    static String http(String url) {
        try {
            return java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build()
                    .send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString(java.nio.charset.StandardCharsets.UTF_8)).body();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** Whether a TCP connection to {@code ip:port} is refused (RST) within 5 s; false when it connects or times out. */
    static boolean refused(String ip, int port) {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress(ip, port), 5000);
            return false;
        } catch (java.net.ConnectException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
