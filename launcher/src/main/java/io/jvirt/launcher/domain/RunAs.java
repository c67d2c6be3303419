package io.jvirt.launcher.domain;

/**
 * The unprivileged user QEMU runs as. QEMU's own {@code -runas} cannot be used: its set*id calls
 * are killed by {@code -sandbox elevateprivileges=deny}; so QEMU is exec'ed through util-linux
 * {@code setpriv} with the ids, no supplementary groups and no-new-privs.
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
    java.util.List<String> commandPrefix() {
        return java.util.List.of("/usr/bin/setpriv", "--reuid=" + uid, "--regid=" + gid, "--clear-groups", "--no-new-privs");
    }
}
