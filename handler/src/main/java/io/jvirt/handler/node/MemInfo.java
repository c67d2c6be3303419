package io.jvirt.handler.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads {@code MemTotal} from {@code /proc/meminfo} text. Pure apart from {@link #read()}. */
public final class MemInfo {
    private MemInfo() {}

    /** MemTotal in bytes, from the text of /proc/meminfo. */
    public static long totalBytes(String meminfo) {
        for (String line : meminfo.split("\n")) {
            if (!line.startsWith("MemTotal:")) {
                continue;
            }
            String[] parts = line.substring("MemTotal:".length()).trim().split("\\s+");
            long value = Long.parseLong(parts[0]);
            return parts.length > 1 && parts[1].equalsIgnoreCase("kB") ? value * 1024 : value;
        }
        throw new IllegalArgumentException("no MemTotal line in /proc/meminfo");
    }

    /** This machine's MemTotal in bytes. */
    public static long read() throws IOException {
        return totalBytes(Files.readString(Path.of("/proc/meminfo")));
    }
}
