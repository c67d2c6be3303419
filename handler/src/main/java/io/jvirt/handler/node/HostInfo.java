package io.jvirt.handler.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the Node reports about its host in {@code status.nodeInfo}, as a kubelet does: the OS image
 * ({@code PRETTY_NAME} of os-release, else "Linux") and the kernel release. Pure given the file.
 */
final class HostInfo {
    static final String RUNTIME_VERSION = "jvirt://0.1.0";

    private HostInfo() {}

    /** The PRETTY_NAME of the os-release file at {@code osRelease}, unquoted; "Linux" when absent or unreadable. */
    static String osImage(Path osRelease) {
        try {
            for (String line : Files.readAllLines(osRelease)) {
                if (!line.startsWith("PRETTY_NAME=")) continue;
                String v = line.substring("PRETTY_NAME=".length()).trim();
                if (v.length() >= 2 && (v.startsWith("\"") || v.startsWith("'")) && v.endsWith(v.substring(0, 1))) v = v.substring(1, v.length() - 1);
                return v.isEmpty() ? "Linux" : v;
            }
        } catch (IOException e) {
            return "Linux";
        }
        return "Linux";
    }

    /** The running kernel's release (what {@code uname -r} prints). */
    static String kernelVersion() {
        return System.getProperty("os.version");
    }
}
