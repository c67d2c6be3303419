package io.jvirt.bench;

import io.jvirt.qemu.Accel;
import io.jvirt.qemu.QemuCommandLine;
import io.jvirt.qemu.QemuOpts;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Demo guest boot under TCG: QEMU start to {@code login:} on the serial console, for the BIOS
 * disk (the baseline) and the kernel-boot pair (compressed and uncompressed kernel), interleaved
 * round-robin so a busy machine hurts every variant alike; plus the image sizes.
 */
final class DemoBootBench implements Benchmark {
    private static final int ROUNDS = 5;
    private static final long TIMEOUT_SECONDS = 120;
    private static final String BIOS = "boot to login: BIOS demo.qcow2";

    @Override
    public String name() {
        return "demo-boot";
    }

    @Override
    public String description() {
        return "QEMU start -> 'login:' on ttyS0 under TCG, " + ROUNDS + " rounds; image sizes";
    }

    @Override
    public List<Figure> run() throws Exception {
        Path demo = Path.of(System.getProperty("jvirt.build.dir", "build"), "images", "demo");
        Map<String, List<String>> variants = new LinkedHashMap<>();
        variants.put(BIOS, List.of("-drive", "file=" + demo.resolve("demo.qcow2") + ",if=virtio,format=qcow2,snapshot=on"));
        variants.put("boot to login: kernelBoot vmlinuz+initrd", kernelBoot(demo, "demo-vmlinuz"));
        variants.put("boot to login: kernelBoot vmlinux (PVH)+initrd", kernelBoot(demo, "demo-vmlinux"));

        Map<String, List<Double>> samples = new LinkedHashMap<>();
        variants.keySet().forEach(k -> samples.put(k, new ArrayList<>()));
        for (int round = 0; round < ROUNDS; round++) {
            for (Map.Entry<String, List<String>> v : variants.entrySet()) {
                samples.get(v.getKey()).add(secondsToLogin(v.getValue()));
            }
        }
        List<Figure> figures = new ArrayList<>();
        samples.forEach((name, s) -> figures.add(name.equals(BIOS) ? Figure.of(name, "s", s) : Figure.of(name, "s", s).against(BIOS)));
        for (String file : List.of("demo.qcow2", "demo-vmlinuz", "demo-vmlinux", "demo-initrd", "containerdisk.tar")) {
            figures.add(Figure.of("size " + file, "MiB", List.of(Files.size(demo.resolve(file)) / 1048576.0)));
        }
        return figures;
    }

    private static List<String> kernelBoot(Path demo, String kernel) {
        return List.of("-kernel", demo.resolve(kernel).toString(), "-initrd", demo.resolve("demo-initrd").toString(),
                "-append", "console=ttyS0 quiet");
    }

    /** Starts QEMU with the serial console on stdout and times until "login:" appears. */
    private static double secondsToLogin(List<String> bootArgs) throws IOException, InterruptedException {
        QemuCommandLine cmd = QemuCommandLine.builder()
                .machine("q35")
                .accel(Accel.TCG, QemuOpts.empty().with("tb-size", 32))
                .memoryMiB(128)
                .nodefaults()
                .displayNone()
                .raw("-serial", "stdio")
                .raw(bootArgs.toArray(String[]::new))
                .build();
        long start = System.nanoTime();
        Process qemu = new ProcessBuilder(cmd.argv()).redirectErrorStream(true).start();
        try (InputStream out = qemu.getInputStream()) {
            if (!await(out, "login:")) {
                throw new IOException("QEMU ended before 'login:': " + String.join(" ", cmd.argv()));
            }
            return (System.nanoTime() - start) / 1e9;
        } finally {
            qemu.destroyForcibly();
            qemu.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
    }

    private static boolean await(InputStream in, String marker) throws IOException {
        byte[] want = marker.getBytes(StandardCharsets.US_ASCII);
        int matched = 0;
        for (int b = in.read(); b >= 0; b = in.read()) {
            matched = b == want[matched] ? matched + 1 : (b == want[0] ? 1 : 0);
            if (matched == want.length) {
                return true;
            }
        }
        return false;
    }
}
