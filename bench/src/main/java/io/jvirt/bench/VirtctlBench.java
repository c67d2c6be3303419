package io.jvirt.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bench/run virtctl}: wall time of {@code ./virtctl version} and {@code ./virtctl start} (request
 * accepted, not the boot) against {@code ./jvirt up}, {@value #RUNS} runs each after one warm-up (which
 * builds the CDS archive), with {@code kubectl version --client} measured in the same run as the baseline.
 */
final class VirtctlBench implements Benchmark {
    static final int RUNS = 10;
    private static final String KUBECTL = "kubectl version --client";

    @Override
    public String name() {
        return "virtctl";
    }

    @Override
    public String description() {
        return "./virtctl version and start wall time vs kubectl version --client (" + RUNS + " runs each)";
    }

    @Override
    public List<Figure> run() throws Exception {
        Path root = Path.of(System.getProperty("jvirt.build.dir", "build")).toAbsolutePath().getParent();
        try (JvirtInstance jvirt = JvirtInstance.up(root)) {
            String virtctl = root.resolve("virtctl").toString();
            String kubeconfig = jvirt.kubeconfig().toString();
            List<Double> kubectl = times(jvirt, List.of("kubectl", "version", "--client"));
            List<Double> version = times(jvirt, List.of(virtctl, "--kubeconfig", kubeconfig, "version"));

            String vm = Files.readString(root.resolve("examples/vm-cirros.yaml"));
            jvirt.kubectl(vm, "apply", "-f", "-");
            List<Double> start = new ArrayList<>();
            for (int i = 0; i <= RUNS; i++) {
                awaitStatus(jvirt, "Stopped");
                double ms = time(jvirt, List.of(virtctl, "--kubeconfig", kubeconfig, "start", "vm-cirros"));
                if (i > 0) {
                    start.add(ms);
                }
                jvirt.run(List.of(virtctl, "--kubeconfig", kubeconfig, "stop", "vm-cirros", "--force", "--grace-period", "0"), null);
            }
            return List.of(Figure.of(KUBECTL, "ms", kubectl), Figure.of("virtctl version", "ms", version).against(KUBECTL),
                    Figure.of("virtctl start", "ms", start).against(KUBECTL));
        }
    }

    /** One warm-up run, then {@link #RUNS} timed runs of {@code argv}. */
    private static List<Double> times(JvirtInstance jvirt, List<String> argv) throws Exception {
        time(jvirt, argv);
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            ms.add(time(jvirt, argv));
        }
        return ms;
    }

    private static double time(JvirtInstance jvirt, List<String> argv) throws Exception {
        long t0 = System.nanoTime();
        jvirt.run(argv, null);
        return (System.nanoTime() - t0) / 1e6;
    }

    private static void awaitStatus(JvirtInstance jvirt, String status) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (!jvirt.kubectl(null, "get", "vm", "vm-cirros", "-o", "jsonpath={.status.printableStatus}").strip().equals(status)) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("vm-cirros not " + status + " within 2 minutes");
            }
            Thread.sleep(200);
        }
    }
}
