package io.jvirt.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One measured figure: its samples and, optionally, the name of the baseline figure measured in
 * the same run that it is compared against. Immutable.
 */
public record Figure(String name, String unit, List<Double> samples, String baseline) {
    public Figure {
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("figure " + name + " has no samples");
        }
        samples = List.copyOf(samples);
    }

    public static Figure of(String name, String unit, List<Double> samples) {
        return new Figure(name, unit, samples, null);
    }

    public Figure against(String baselineName) {
        return new Figure(name, unit, samples, baselineName);
    }

    public double median() {
        return percentile(50);
    }

    public double p95() {
        return percentile(95);
    }

    public double max() {
        return Collections.max(samples);
    }

    /** Nearest-rank percentile of the samples. */
    public double percentile(double p) {
        List<Double> sorted = new ArrayList<>(samples);
        Collections.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }
}
