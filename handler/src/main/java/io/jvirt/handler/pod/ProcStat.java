package io.jvirt.handler.pod;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Reads {@code /proc/<pid>/stat}. Zombies count as gone. */
public final class ProcStat {
    private ProcStat() {}

    /** The start time (field 22) of a live, non-zombie process, or empty. */
    public static Optional<Long> startTicks(long pid) {
        try {
            return parseStartTicks(Files.readString(Path.of("/proc/" + pid + "/stat")));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Pure: field 22 of a stat line unless the state (field 3) is Z or X. */
    static Optional<Long> parseStartTicks(String stat) {
        int close = stat.lastIndexOf(')');
        String[] rest = stat.substring(close + 2).trim().split(" ");
        String state = rest[0];
        if (state.equals("Z") || state.equals("X")) {
            return Optional.empty();
        }
        return Optional.of(Long.parseLong(rest[19]));
    }
}
