package io.jvirt.converter;

/**
 * The unprivileged user QEMU runs as. QEMU's own {@code -runas} cannot be used: its set*id calls
 * are killed by {@code -sandbox elevateprivileges=deny}; so QEMU is exec'ed through util-linux
 * {@code setpriv} with the ids, no supplementary groups, no-new-privs, and no capabilities left in
 * any set (inheritable and bounding emptied; changing the uid from 0 clears the others).
 *
 * @param uid numeric user id (not 0)
 * @param gid numeric group id (not 0)
 */
public record RunAs(int uid, int gid) {
    public RunAs {
        if (uid <= 0 || gid <= 0) {
            throw new IllegalArgumentException("QEMU must not run as root: uid " + uid + ", gid " + gid);
        }
    }

    /** Parses {@code "<uid>:<gid>"}. */
    public static RunAs parse(String text) {
        String[] parts = text.split(":");
        if (parts.length != 2) {
            throw new IllegalArgumentException("expected <uid>:<gid>, got '" + text + "'");
        }
        return new RunAs(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
    }

    /** The words to put before QEMU's argv. */
    public java.util.List<String> commandPrefix() {
        return java.util.List.of("/usr/bin/setpriv", "--reuid=" + uid, "--regid=" + gid, "--clear-groups", "--no-new-privs",
                "--inh-caps=-all", "--bounding-set=-all");
    }

    /**
     * True when this process's effective uid is 0 ({@code /proc/self/status}): then QEMU must be given a
     * {@code RunAs}, it never runs as root.
     */
    public static boolean launcherIsRoot() throws java.io.IOException {
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
            if (line.startsWith("Uid:")) {
                return line.split("\\s+")[2].equals("0");
            }
        }
        throw new java.io.IOException("no Uid line in /proc/self/status");
    }
}
