package io.jvirt.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Prints a benchmark's figures as a table and writes them as JSON. */
final class Report {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Report() {
    }

    static void print(Benchmark bench, List<Figure> figures, PrintStream out) {
        Map<String, Figure> byName = figures.stream().collect(Collectors.toMap(Figure::name, Function.identity()));
        out.printf("%n== %s: %s%n", bench.name(), bench.description());
        out.printf("%-48s %6s %4s %10s %10s %10s %10s  %-28s %8s%n", "figure", "unit", "n", "median", "p95", "p99", "max", "baseline (median)", "ratio");
        for (Figure f : figures) {
            Figure base = f.baseline() == null ? null : byName.get(f.baseline());
            out.printf("%-48s %6s %4d %10.3f %10.3f %10.3f %10.3f  %-28s %8s%n", f.name(), f.unit(), f.samples().size(),
                    f.median(), f.p95(), f.percentile(99), f.max(),
                    base == null ? "" : String.format("%s (%.3f)", base.name(), base.median()),
                    base == null ? "" : String.format("%.2fx", f.median() / base.median()));
        }
    }

    static Path writeJson(Benchmark bench, List<Figure> figures, Path dir) throws IOException {
        ObjectNode root = JSON.createObjectNode().put("benchmark", bench.name()).put("description", bench.description());
        ArrayNode list = root.putArray("figures");
        for (Figure f : figures) {
            ObjectNode n = list.addObject().put("name", f.name()).put("unit", f.unit())
                    .put("median", f.median()).put("p95", f.p95()).put("p99", f.percentile(99)).put("max", f.max());
            if (f.baseline() != null) {
                n.put("baseline", f.baseline());
            }
            f.samples().forEach(n.putArray("samples")::add);
        }
        Files.createDirectories(dir);
        Path file = dir.resolve(bench.name() + ".json");
        JSON.writeValue(file.toFile(), root);
        return file;
    }
}
