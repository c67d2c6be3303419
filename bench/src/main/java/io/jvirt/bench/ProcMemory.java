package io.jvirt.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident memory of one process from {@code /proc/<pid>/smaps_rollup}, in MiB. */
record ProcMemory(double rssMiB, double pssMiB) {
    static ProcMemory of(long pid) throws IOException {
        long rss = -1;
        long pss = -1;
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/smaps_rollup"))) {
            if (line.startsWith("Rss:")) {
                rss = kib(line);
            } else if (line.startsWith("Pss:")) {
                pss = kib(line);
            }
        }
        if (rss < 0 || pss < 0) {
            throw new IOException("no Rss/Pss in /proc/" + pid + "/smaps_rollup");
        }
        return new ProcMemory(rss / 1024.0, pss / 1024.0);
    }

    private static long kib(String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }
}
