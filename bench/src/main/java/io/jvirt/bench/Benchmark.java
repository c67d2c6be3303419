package io.jvirt.bench;

import java.util.List;

/** A benchmark run by {@code ./bench NAME}: measures and returns its figures, baselines included. */
public interface Benchmark {
    String name();

    String description();

    List<Figure> run() throws Exception;
}
