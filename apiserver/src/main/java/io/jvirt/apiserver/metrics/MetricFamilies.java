package io.jvirt.apiserver.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Merges scrapes in Prometheus' text format (0.0.4) into one, as a scrape target that speaks for several sources
 * must: each metric family appears once, with the {@code # HELP} and {@code # TYPE} lines of its first source and
 * the samples of all sources in source order. Samples are not deduplicated: the sources' samples differ by their
 * labels ({@code node}). Lines before any family header are kept in place. Stateless.
 */
public final class MetricFamilies {
    private MetricFamilies() {}

    /** One text with the families of every {@code scrapes} element. */
    public static String merge(List<String> scrapes) {
        Map<String, Family> families = new LinkedHashMap<>();
        Family loose = new Family();
        for (String scrape : scrapes) {
            Family current = loose;
            for (String line : scrape.split("\n")) {
                if (line.isBlank()) continue;
                String family = headerFamily(line);
                if (family != null) {
                    current = families.computeIfAbsent(family, f -> new Family());
                    if (current.headers.stream().noneMatch(h -> sameKind(h, line))) current.headers.add(line); // one HELP, one TYPE
                } else {
                    current.samples.add(line);
                }
            }
        }
        StringBuilder out = new StringBuilder();
        loose.samples.forEach(l -> out.append(l).append('\n'));
        for (Family f : families.values()) {
            f.headers.forEach(l -> out.append(l).append('\n'));
            f.samples.forEach(l -> out.append(l).append('\n'));
        }
        return out.toString();
    }

    /** The family a {@code # HELP name ...} or {@code # TYPE name ...} line introduces, or null for any other line. */
    private static String headerFamily(String line) {
        if (!line.startsWith("# HELP ") && !line.startsWith("# TYPE ")) return null;
        String rest = line.substring(7);
        int sp = rest.indexOf(' ');
        return sp < 0 ? rest : rest.substring(0, sp);
    }

    /** Both HELP or both TYPE lines. */
    private static boolean sameKind(String a, String b) {
        return a.regionMatches(0, b, 0, 7);
    }

    private static final class Family {
        final List<String> headers = new ArrayList<>();
        final List<String> samples = new ArrayList<>();
    }
}
