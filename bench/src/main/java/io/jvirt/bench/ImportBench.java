package io.jvirt.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * {@code bench/run import}: MB/s of a DataVolume HTTP import (create → Succeeded, {@code kubectl wait}) of a
 * {@value #DEFAULT_MIB} MiB image (property {@code jvirt.bench.importMiB}; one MiB in eight random, the rest zeros)
 * served by a loopback HTTP server, as raw.xz and as qcow2, beside the tools in the same run:
 * {@code curl -s URL | xz -dc | dd conv=sparse} for raw.xz and {@code curl -o} then {@code qemu-img convert} for qcow2;
 * and the throughput of {@code virtctl image-upload} of the qcow2 beside {@code cp} of the same file. MB = 10⁶ bytes
 * of the guest-visible image; {@value #RUNS} runs each.
 */
final class ImportBench implements Benchmark {
    static final int RUNS = 3;
    static final int DEFAULT_MIB = 256;

    @Override
    public String name() {
        return "import";
    }

    @Override
    public String description() {
        return "DataVolume HTTP import (raw.xz, qcow2) and virtctl image-upload, MB/s vs curl|xz|dd, curl+qemu-img convert and cp";
    }

    @Override
    public List<Figure> run() throws Exception {
        Path root = Path.of(System.getProperty("jvirt.build.dir", "build")).toAbsolutePath().getParent();
        int mib = Integer.getInteger("jvirt.bench.importMiB", DEFAULT_MIB);
        Path dir = Files.createTempDirectory("jvirt-import-bench");
        try {
            Path raw = dir.resolve("image.raw");
            image(raw, mib);
            Path qcow2 = dir.resolve("image.qcow2");
            sh("qemu-img convert -f raw -O qcow2 " + raw + " " + qcow2);
            sh("xz -1 -T0 -k -c " + raw + " > " + raw + ".xz");
            HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            http.createContext("/", ex -> {
                Path file = dir.resolve(ex.getRequestURI().getPath().substring(1));
                ex.sendResponseHeaders(200, Files.size(file));
                try (OutputStream out = ex.getResponseBody()) {
                    Files.copy(file, out);
                }
            });
            http.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
            http.start();
            String base = "http://127.0.0.1:" + http.getAddress().getPort() + "/";
            double mb = mib * 1048576.0 / 1e6;
            List<Double> toolXz = new ArrayList<>();
            List<Double> toolQcow2 = new ArrayList<>();
            List<Double> copy = new ArrayList<>();
            for (int i = 0; i < RUNS; i++) {
                Path out = dir.resolve("out.raw");
                toolXz.add(mb / seconds(() -> sh("curl -s " + base + "image.raw.xz | xz -dc | dd of=" + out + " bs=1M conv=sparse status=none")));
                Files.delete(out);
                Path tmp = dir.resolve("download.qcow2");
                toolQcow2.add(mb / seconds(() -> sh("curl -s -o " + tmp + " " + base + "image.qcow2 && qemu-img convert -f qcow2 -O raw " + tmp + " " + out)));
                Files.delete(tmp);
                Files.delete(out);
                copy.add(mb / seconds(() -> sh("cp " + qcow2 + " " + out + " && sync " + out)));
                Files.delete(out);
            }
            List<Double> importXz = new ArrayList<>();
            List<Double> importQcow2 = new ArrayList<>();
            List<Double> upload = new ArrayList<>();
            String size = (mib + 64) + "Mi";
            try (JvirtInstance jvirt = JvirtInstance.up(root)) {
                for (int i = 0; i < RUNS; i++) {
                    importXz.add(mb / seconds(() -> importOnce(jvirt, "xz-" + System.nanoTime(), base + "image.raw.xz", size)));
                    importQcow2.add(mb / seconds(() -> importOnce(jvirt, "qcow2-" + System.nanoTime(), base + "image.qcow2", size)));
                    String name = "up-" + System.nanoTime();
                    upload.add(mb / seconds(() -> jvirt.run(List.of(root.resolve("virtctl").toString(), "--kubeconfig", jvirt.kubeconfig().toString(),
                            "image-upload", "dv", name, "--size=" + size, "--image-path=" + qcow2, "--insecure"), null)));
                }
            }
            http.stop(0);
            String xzBase = "curl | xz -dc | dd (raw.xz)";
            String qcow2Base = "curl -o + qemu-img convert (qcow2)";
            String cpBase = "cp + sync (qcow2 file)";
            return List.of(Figure.of(xzBase, "MB/s", toolXz), Figure.of("DataVolume http import raw.xz", "MB/s", importXz).against(xzBase),
                    Figure.of(qcow2Base, "MB/s", toolQcow2), Figure.of("DataVolume http import qcow2", "MB/s", importQcow2).against(qcow2Base),
                    Figure.of(cpBase, "MB/s", copy), Figure.of("virtctl image-upload qcow2", "MB/s", upload).against(cpBase));
        } finally {
            TempTree.delete(dir);
        }
    }

    private static void importOnce(JvirtInstance jvirt, String name, String url, String size) throws Exception {
        jvirt.kubectl("""
                apiVersion: cdi.kubevirt.io/v1beta1
                kind: DataVolume
                metadata:
                  name: %s
                spec:
                  source:
                    http:
                      url: %s
                  storage:
                    resources:
                      requests:
                        storage: %s
                """.formatted(name, url, size), "apply", "-f", "-");
        jvirt.kubectl(null, "wait", "--for=jsonpath={.status.phase}=Succeeded", "dv/" + name, "--timeout=600s");
    }

    /** A raw image of {@code mib} MiB: every eighth MiB random, the rest zeros (sparse). */
    private static void image(Path file, int mib) throws IOException {
        Random random = new Random(1);
        byte[] block = new byte[1 << 20];
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength((long) mib << 20);
            for (int i = 0; i < mib; i += 8) {
                random.nextBytes(block);
                f.seek((long) i << 20);
                f.write(block);
            }
        }
    }

    @FunctionalInterface
    interface Work {
        void run() throws Exception;
    }

    private static double seconds(Work work) throws Exception {
        long t0 = System.nanoTime();
        work.run();
        return (System.nanoTime() - t0) / 1e9;
    }

    private static void sh(String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IOException(command + " exited " + p.exitValue() + ": " + out);
    }
}
