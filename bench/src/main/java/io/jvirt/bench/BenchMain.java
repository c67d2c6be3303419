package io.jvirt.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** {@code ./bench [NAME...]}: runs the named benchmarks (all without a name) and reports them. */
public final class BenchMain {
    private BenchMain() {
    }

    static Map<String, Benchmark> all() {
        Map<String, Benchmark> all = new TreeMap<>();
        for (Benchmark b : List.<Benchmark>of(new DemoBootBench(), new ApiServerBench(), new AuthzBench(), new VirtctlBench(), new LifecycleBench(), new ImportBench(), new ContainerDiskBench(), new NetworkBench())) {
            all.put(b.name(), b);
        }
        return all;
    }

    public static void main(String[] args) throws Exception {
        Map<String, Benchmark> all = all();
        List<Benchmark> chosen = new ArrayList<>();
        for (String name : args) {
            Benchmark b = all.get(name);
            if (b == null) {
                System.err.println("bench: no benchmark '" + name + "'; known: " + String.join(", ", all.keySet()));
                System.exit(2);
            }
            chosen.add(b);
        }
        if (chosen.isEmpty()) {
            chosen.addAll(all.values());
        }
        Path out = Path.of(System.getProperty("jvirt.build.dir", "build"), "bench");
        for (Benchmark b : chosen) {
            List<Figure> figures = b.run();
            Report.print(b, figures, System.out);
            System.out.println("written: " + Report.writeJson(b, figures, out));
        }
    }
}
