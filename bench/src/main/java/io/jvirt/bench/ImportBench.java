package io.jvirt.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bench/run import}: MB/s of a DataVolume HTTP import of a {@value #DEFAULT_MIB} MiB disk image (property
 * {@code jvirt.bench.importMiB}; {@link #image} says what it holds) served by a loopback HTTP server, as raw.xz and as
 * qcow2, beside the tools in the same run: {@code curl -s URL | xz -dc | dd conv=sparse} for raw.xz and
 * {@code curl -o} then {@code qemu-img convert} for qcow2; and {@code virtctl image-upload} of the qcow2 beside
 * {@code cp} + {@code sync} of the same file. Each import is measured twice: end to end ({@code kubectl apply} →
 * {@code kubectl wait} Succeeded: claim, binding, reconciles, status included) and the importer's own time from its
 * log line (first byte requested → image in place, flushed). qemu-img convert's default cache mode ({@code unsafe})
 * never flushes, so the qcow2 tool line is also timed with a {@code sync} of its output, as jvirt flushes. Every
 * timed step starts after an untimed {@code sync}: the disk here is mounted with {@code discard}, so a step's flush
 * would otherwise pay for the previous step's deleted files. MB = 10⁶ bytes of the guest-visible image;
 * {@code jvirt.bench.importRuns} runs (default {@value #DEFAULT_RUNS}), the tools and jvirt alternating in each. The
 * images are made once per size and kept in {@code build/bench/} (compressing 1 GiB with xz takes minutes here).
 */
final class ImportBench implements Benchmark {
    static final int DEFAULT_RUNS = 5;
    static final int DEFAULT_MIB = 1024;
    /** Bump when {@link #image} changes, so a kept image is made again. */
    private static final int CONTENT_VERSION = 2;
    private static final String XZ_BASE = "curl | xz -dc | dd conv=sparse (raw.xz)";
    private static final String QCOW2_BASE = "curl -o + qemu-img convert (qcow2)";
    private static final String QCOW2_FLUSHED = "curl -o + qemu-img convert + sync (qcow2, flushed as jvirt's)";
    private static final String CP_BASE = "cp + sync (the qcow2 file)";

    @Override
    public String name() {
        return "import";
    }

    @Override
    public String description() {
        return "DataVolume HTTP import (raw.xz, qcow2) and virtctl image-upload, MB/s end to end and the importer's own, vs curl|xz|dd, curl+qemu-img convert and cp";
    }

    @Override
    public List<Figure> run() throws Exception {
        Path root = Path.of(System.getProperty("jvirt.build.dir", "build")).toAbsolutePath().getParent();
        int mib = Integer.getInteger("jvirt.bench.importMiB", DEFAULT_MIB);
        int runs = Integer.getInteger("jvirt.bench.importRuns", DEFAULT_RUNS);
        Path images = root.resolve("build/bench/import-" + mib + "MiB-v" + CONTENT_VERSION);
        prepare(images, mib);
        Path dir = Files.createTempDirectory("jvirt-import-bench");
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/", ex -> {
            Path file = images.resolve(ex.getRequestURI().getPath().substring(1));
            ex.sendResponseHeaders(200, Files.size(file));
            try (OutputStream out = ex.getResponseBody()) {
                Files.copy(file, out);
            }
        });
        http.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        http.start();
        try {
            String base = "http://127.0.0.1:" + http.getAddress().getPort() + "/";
            double mb = mib * 1048576.0 / 1e6;
            Path qcow2 = images.resolve("image.qcow2");
            Path out = dir.resolve("out.raw");
            Path download = dir.resolve("download.qcow2");
            Samples s = new Samples();
            String size = (mib + 64) + "Mi";
            try (JvirtInstance jvirt = JvirtInstance.up(root)) {
                Path log = jvirt.home().resolve("logs/jvirt.log");
                for (int i = 0; i < runs; i++) {
                    s.load.add(loadAverage());
                    Shell.run("sync");
                    s.toolXz.add(mb / seconds(() -> Shell.run("curl -s " + base + "image.raw.xz | xz -dc | dd of=" + out + " bs=1M conv=sparse status=none")));
                    Files.delete(out);
                    Shell.run("sync");
                    String xz = "xz-" + i;
                    s.importXz.add(mb / seconds(() -> importOnce(jvirt, xz, base + "image.raw.xz", size)));
                    s.ownXz.add(mb / ownSeconds(log, "DataVolume default/" + xz + ": "));
                    jvirt.kubectl(null, "delete", "dv", xz);

                    for (boolean flushed : List.of(false, true)) {
                        Shell.run("sync");
                        (flushed ? s.toolQcow2Flushed : s.toolQcow2).add(mb / seconds(() -> Shell.run("curl -s -o " + download + " " + base
                                + "image.qcow2 && qemu-img convert -f qcow2 -O raw " + download + " " + out + (flushed ? " && sync " + out : ""))));
                        Files.delete(download);
                        Files.delete(out);
                    }
                    Shell.run("sync");
                    String q = "qcow2-" + i;
                    s.importQcow2.add(mb / seconds(() -> importOnce(jvirt, q, base + "image.qcow2", size)));
                    s.ownQcow2.add(mb / ownSeconds(log, "DataVolume default/" + q + ": "));
                    jvirt.kubectl(null, "delete", "dv", q);

                    Shell.run("sync");
                    s.copy.add(mb / seconds(() -> Shell.run("cp " + qcow2 + " " + out + " && sync " + out)));
                    Files.delete(out);
                    Shell.run("sync");
                    String up = "up-" + i;
                    s.upload.add(mb / seconds(() -> jvirt.run(List.of(root.resolve("virtctl").toString(), "--kubeconfig", jvirt.kubeconfig().toString(),
                            "image-upload", "dv", up, "--size=" + size, "--image-path=" + qcow2, "--insecure"), null)));
                    s.ownUpload.add(mb / ownSeconds(log, "Upload default/" + up + " "));
                    jvirt.kubectl(null, "delete", "dv", up);
                    s.load.add(loadAverage());
                }
            }
            return List.of(Figure.of("host load average (1 min), before and after each run", "", s.load),
                    Figure.of(XZ_BASE, "MB/s", s.toolXz),
                    Figure.of("DataVolume http import raw.xz, end to end", "MB/s", s.importXz).against(XZ_BASE),
                    Figure.of("DataVolume http import raw.xz, importer's own", "MB/s", s.ownXz).against(XZ_BASE),
                    Figure.of(QCOW2_BASE, "MB/s", s.toolQcow2),
                    Figure.of("DataVolume http import qcow2, end to end", "MB/s", s.importQcow2).against(QCOW2_BASE),
                    Figure.of("DataVolume http import qcow2, importer's own", "MB/s", s.ownQcow2).against(QCOW2_BASE),
                    Figure.of(QCOW2_FLUSHED, "MB/s", s.toolQcow2Flushed),
                    Figure.of("DataVolume http import qcow2, importer's own, vs flushed", "MB/s", s.ownQcow2).against(QCOW2_FLUSHED),
                    Figure.of(CP_BASE, "MB/s", s.copy),
                    Figure.of("virtctl image-upload qcow2, end to end", "MB/s", s.upload).against(CP_BASE),
                    Figure.of("virtctl image-upload qcow2, receiver's own", "MB/s", s.ownUpload).against(CP_BASE));
        } finally {
            http.stop(0);
            TempTree.delete(dir);
        }
    }

    /** The samples of one bench run, per figure. */
    private static final class Samples {
        final List<Double> load = new ArrayList<>();
        final List<Double> toolXz = new ArrayList<>();
        final List<Double> importXz = new ArrayList<>();
        final List<Double> ownXz = new ArrayList<>();
        final List<Double> toolQcow2 = new ArrayList<>();
        final List<Double> toolQcow2Flushed = new ArrayList<>();
        final List<Double> importQcow2 = new ArrayList<>();
        final List<Double> ownQcow2 = new ArrayList<>();
        final List<Double> copy = new ArrayList<>();
        final List<Double> upload = new ArrayList<>();
        final List<Double> ownUpload = new ArrayList<>();
    }

    /** Makes {@code image.raw}, {@code image.raw.xz} and {@code image.qcow2} in {@code images} unless a finished set is there. */
    private static void prepare(Path images, int mib) throws Exception {
        if (Files.exists(images.resolve("done"))) return;
        TempTree.delete(images);
        Files.createDirectories(images);
        Path raw = images.resolve("image.raw");
        image(raw, mib);
        Shell.run("qemu-img convert -f raw -O qcow2 " + raw + " " + images.resolve("image.qcow2"));
        Shell.run("xz -1 -T0 -k -c " + raw + " > " + raw + ".xz");
        Files.createFile(images.resolve("done"));
    }

    /**
     * A raw image of {@code mib} MiB shaped like a used disk, each MiB drawn at random (seeded, so every run serves the
     * same bytes): 30% zeros (left as holes, as free space is), 35% random bytes (incompressible, as packed files and
     * media are), 35% text of words from a 512-word vocabulary (compressible about 2-3× by xz -1, as logs, configuration
     * and program text are). The xz file is about half the image, the qcow2 about 70% (it holds no zero clusters).
     */
    private static void image(Path file, int mib) throws IOException {
        Random random = new Random(1);
        byte[][] words = new byte[512][];
        for (int i = 0; i < words.length; i++) {
            byte[] w = new byte[2 + random.nextInt(9)];
            for (int j = 0; j < w.length; j++) w[j] = (byte) ('a' + random.nextInt(26));
            words[i] = w;
        }
        byte[] block = new byte[1 << 20];
        try (FileChannel f = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (int i = 0; i < mib; i++) {
                int kind = random.nextInt(20);
                if (kind < 6) continue;
                if (kind < 13) {
                    random.nextBytes(block);
                } else {
                    int p = 0;
                    while (p < block.length) {
                        byte[] w = words[random.nextInt(words.length)];
                        int n = Math.min(w.length, block.length - p);
                        System.arraycopy(w, 0, block, p, n);
                        p += n;
                        if (p < block.length) block[p++] = (byte) (random.nextInt(12) == 0 ? '\n' : ' ');
                    }
                }
                f.write(ByteBuffer.wrap(block), (long) i << 20);
            }
            if (f.size() < (long) mib << 20) f.write(ByteBuffer.wrap(new byte[1]), ((long) mib << 20) - 1);
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

    /**
     * The importer's own seconds for the job whose log line starts with {@code prefix}
     * ({@code <prefix>... done: N source bytes in S s}, written before the DataVolume's status says Succeeded).
     */
    private static double ownSeconds(Path log, String prefix) throws Exception {
        Pattern done = Pattern.compile(Pattern.quote(prefix) + ".* done: \\d+ source bytes in ([0-9.]+) s");
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (true) {
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                Matcher m = done.matcher(line);
                if (m.find()) return Double.parseDouble(m.group(1));
            }
            if (Instant.now().isAfter(deadline)) throw new IllegalStateException("no line '" + prefix + "... done' in " + log);
            Thread.sleep(50);
        }
    }

    private static double loadAverage() throws IOException {
        return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
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
}
