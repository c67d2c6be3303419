package io.jvirt.bench;

import io.jvirt.network.FdSpawn;
import io.jvirt.network.NetworkNamespace;
import io.jvirt.network.PodNetwork;
import io.jvirt.network.TapDevice;
import io.jvirt.network.binding.Binding;
import io.jvirt.network.binding.BridgeBinding;
import io.jvirt.network.binding.GuestInterface;
import io.jvirt.network.binding.GuestPort;
import io.jvirt.network.binding.MasqueradeBinding;
import io.jvirt.network.binding.PasstBinding;
import io.jvirt.network.cni.CniPlugin;
import io.jvirt.network.cni.CniResult;
import io.jvirt.network.dhcp.DhcpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Host → guest HTTP through each binding (bridge, masquerade, passt) against the same HTTP server (busybox httpd)
 * in a pod's network namespace without a VM, all on one CNI pod network in the same run: request latency (one
 * {@code GET /} per connection, as busybox httpd closes each) and download throughput of a 16 MiB file; and the
 * pod network's setup time per pod (netns + CNI ADD of bridge, host-local, portmap). Guests: the demo image under
 * TCG (kernel boot), QEMU as uid 107, the 16 MiB file written by cloud-init's runcmd.
 */
final class NetworkBench implements Benchmark {
    private static final int PODS = Integer.getInteger("jvirt.bench.pods", 20);
    private static final int REQUESTS = Integer.getInteger("jvirt.bench.requests", 100);
    private static final int DOWNLOADS = Integer.getInteger("jvirt.bench.downloads", 5);
    private static final int BIG_MIB = 16;
    private static final int QEMU_UID = 107;
    private static final String MAC = "52:54:00:be:0c:01";
    private static final String BASELINE = "host -> pod namespace (no VM)";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Override
    public String name() {
        return "network";
    }

    @Override
    public String description() {
        return "host -> guest HTTP per binding vs. host -> pod namespace, " + REQUESTS + " requests, " + DOWNLOADS + " x "
                + BIG_MIB + " MiB; pod network setup for " + PODS + " pods";
    }

    @Override
    public List<Figure> run() throws Exception {
        Path demo = Path.of(System.getProperty("jvirt.build.dir", "build"), "images", "demo").toAbsolutePath();
        Path tmp = Files.createTempDirectory("jvirt-bench-net");
        List<NetworkNamespace> namespaces = new ArrayList<>();
        PodNetwork network = PodNetwork.open(tmp.resolve("cni"), hex(4), null, new CniPlugin(List.of(CniPlugin.DEBIAN)));
        List<Figure> figures = new ArrayList<>();
        try {
            List<Double> setup = new ArrayList<>();
            for (int i = 0; i < PODS; i++) {
                NetworkNamespace ns = new NetworkNamespace("jvb-" + hex(4));
                long start = System.nanoTime();
                ns.create();
                namespaces.add(ns);
                network.add("setup" + i, ns, List.of());
                setup.add((System.nanoTime() - start) / 1e6);
            }
            figures.add(Figure.of("pod network setup (netns + CNI ADD)", "ms", setup));
            for (int i = 0; i < PODS; i++) {
                network.delete("setup" + i, namespaces.get(i));
            }

            Path www = Files.createDirectories(tmp.resolve("www"));
            Files.writeString(www.resolve("index.html"), "pod\n");
            try (var out = Files.newOutputStream(www.resolve("big"))) {
                out.write(new byte[BIG_MIB << 20]);
            }
            NetworkNamespace pod = pod(namespaces);
            String podIp = network.add("plain", pod, List.of()).ipv4On("eth0").orElseThrow().ip();
            Process httpd = new ProcessBuilder("ip", "netns", "exec", pod.name(), "busybox", "httpd", "-f", "-p", "80", "-h", www.toString())
                    .redirectErrorStream(true).redirectOutput(tmp.resolve("httpd.log").toFile()).start();
            try {
                measure(BASELINE, podIp, figures, null);
            } finally {
                httpd.destroyForcibly().waitFor();
            }
            for (String binding : List.of("bridge", "masquerade", "passt")) {
                guest(binding, demo, tmp.resolve(binding), network, namespaces, figures);
            }
        } finally {
            for (NetworkNamespace ns : namespaces) {
                ns.delete();
            }
            network.sweep(java.util.Set.of(), id -> null);
            network.removeBridge();
            TempTree.delete(tmp);
        }
        return figures;
    }

    private static NetworkNamespace pod(List<NetworkNamespace> namespaces) throws IOException {
        NetworkNamespace ns = new NetworkNamespace("jvb-" + hex(4));
        ns.create();
        namespaces.add(ns);
        return ns;
    }

    /** Boots a demo guest behind {@code binding} and measures it against the baseline. */
    private static void guest(String binding, Path demo, Path dir, PodNetwork network, List<NetworkNamespace> namespaces, List<Figure> figures)
            throws Exception {
        Files.createDirectories(dir);
        Files.setAttribute(dir, "unix:uid", QEMU_UID);
        Files.setAttribute(dir.getParent(), "unix:uid", QEMU_UID);
        Path seed = Files.createDirectories(dir.resolve("seed"));
        Files.writeString(seed.resolve("meta-data"), "instance-id: bench-" + binding + "\nlocal-hostname: bench-" + binding + "\n");
        Files.writeString(seed.resolve("user-data"), "#cloud-config\nruncmd:\n  - dd if=/dev/zero of=/www/big bs=1M count=" + BIG_MIB + "\n");
        Path iso = dir.resolve("seed.iso");
        run(List.of("genisoimage", "-quiet", "-output", iso.toString(), "-volid", "cidata", "-joliet", "-rock",
                seed.resolve("user-data").toString(), seed.resolve("meta-data").toString()));
        NetworkNamespace pod = pod(namespaces);
        CniResult result = network.add(binding, pod, List.of());
        String podIp = result.ipv4On("eth0").orElseThrow().ip();
        Path serial = dir.resolve("serial.log");
        List<String> argv = new ArrayList<>(List.of("setpriv", "--reuid", "107", "--regid", "107", "--clear-groups", "--no-new-privs",
                "qemu-system-x86_64", "-machine", "q35", "-accel", "tcg,tb-size=32", "-m", "256", "-nodefaults", "-display", "none",
                "-serial", "file:" + serial, "-kernel", demo.resolve("demo-vmlinux").toString(), "-initrd", demo.resolve("demo-initrd").toString(),
                "-append", "console=ttyS0 quiet", "-drive", "file=" + iso + ",if=none,id=seed,format=raw,readonly=on",
                "-device", "virtio-blk-pci,drive=seed", "-device", "virtio-net-pci,netdev=n0,mac=" + MAC));
        GuestInterface nic = new GuestInterface("tap0", MAC, "bench-" + binding, List.of());
        List<GuestPort> port80 = List.of(new GuestPort(80, "TCP"));
        DhcpServer dhcp = null;
        PasstBinding.Passt passt = null;
        ProcessHandle qemu;
        Map<String, String> env = Map.of("PATH", System.getenv("PATH"));
        if (binding.equals("passt")) {
            passt = new PasstBinding(port80).start(pod, dir, QEMU_UID, QEMU_UID, List.of());
            argv.addAll(List.of("-netdev", "stream,id=n0,server=off,addr.type=unix,addr.path=" + passt.socket()));
            qemu = FdSpawn.start(argv, env, dir.resolve("qemu.log"), Map.of()).process();
        } else {
            Binding b = binding.equals("bridge") ? new BridgeBinding() : new MasqueradeBinding(port80);
            try (TapDevice tap = TapDevice.open(pod, nic.device())) {
                dhcp = DhcpServer.start(pod, b.plug(pod, result, nic));
                argv.addAll(List.of("-netdev", "tap,id=n0,fd=3"));
                qemu = FdSpawn.start(argv, env, dir.resolve("qemu.log"), Map.of(3, tap.fd())).process();
            }
        }
        try {
            Instant end = Instant.now().plusSeconds(240);
            while (!Files.exists(serial) || !Files.readString(serial).contains("login:")) {
                if (!qemu.isAlive() || Instant.now().isAfter(end)) {
                    throw new IOException(binding + ": the guest did not reach its login prompt: " + Files.readString(dir.resolve("qemu.log")));
                }
                Thread.sleep(100);
            }
            measure("host -> guest, " + binding, podIp, figures, BASELINE);
        } finally {
            qemu.destroyForcibly();
            qemu.onExit().get(30, TimeUnit.SECONDS);
            if (dhcp != null) {
                dhcp.close();
            }
            if (passt != null) {
                passt.stop();
            }
        }
    }

    /** Latency of {@code GET /} and throughput of {@code GET /big} from the host to {@code ip}:80. */
    private static void measure(String target, String ip, List<Figure> figures, String baseline) throws Exception {
        URI index = URI.create("http://" + ip + ":80/");
        URI big = URI.create("http://" + ip + ":80/big");
        get(index); // warm up: the first request also pays for ARP and the guest's first connection
        List<Double> latency = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            long start = System.nanoTime();
            get(index);
            latency.add((System.nanoTime() - start) / 1e6);
        }
        List<Double> throughput = new ArrayList<>();
        for (int i = 0; i < DOWNLOADS; i++) {
            long start = System.nanoTime();
            long bytes = get(big);
            if (bytes != (long) BIG_MIB << 20) {
                throw new IOException(target + ": /big has " + bytes + " bytes");
            }
            throughput.add(bytes / 1048576.0 / ((System.nanoTime() - start) / 1e9));
        }
        Figure lat = Figure.of("HTTP GET / latency: " + target, "ms", latency);
        Figure thr = Figure.of("HTTP download " + BIG_MIB + " MiB: " + target, "MiB/s", throughput);
        figures.add(baseline == null ? lat : lat.against(lat.name().replace(target, baseline)));
        figures.add(baseline == null ? thr : thr.against(thr.name().replace(target, baseline)));
    }

    private static long get(URI uri) throws IOException, InterruptedException {
        HttpResponse<InputStream> r = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            if (r.statusCode() != 200) {
                throw new IOException(uri + ": HTTP " + r.statusCode());
            }
            return in.transferTo(java.io.OutputStream.nullOutputStream());
        }
    }

    private static void run(List<String> argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", argv) + ": " + out);
        }
    }

    private static String hex(int bytes) {
        byte[] b = new byte[bytes];
        ThreadLocalRandom.current().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
