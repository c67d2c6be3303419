package io.jvirt.dist;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The control plane's private files under {@code $JVIRT_HOME}: the directories {@link #DIRECTORIES} (store,
 * pki, logs, component kubeconfigs) are 0700 with every file in them 0600, and the files {@link #FILES}
 * (tokens, the admin kubeconfig, settings) are 0600. Creates the directories if missing, so that what is
 * written into them later is never readable by others, and fixes the modes of an existing install. The
 * home itself keeps its mode: QEMU's user must pass through it to the node's pod directories. Idempotent.
 */
final class PrivateFiles {

    static final List<String> DIRECTORIES = List.of("store", "pki", "logs", "components");
    static final List<String> FILES = List.of("tokens.csv", "kubeconfig", "config.properties");
    private static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private PrivateFiles() {
    }

    /** Makes the private directories and files of {@code home} 0700 and 0600 (see the class comment). */
    static void secure(Path home) throws IOException {
        for (String name : DIRECTORIES) {
            Path dir = home.resolve(name);
            if (Files.isSymbolicLink(dir)) {
                continue; // someone else's directory: not ours to change
            }
            Files.createDirectories(dir);
            try (Stream<Path> tree = Files.walk(dir)) {
                for (Path p : (Iterable<Path>) tree::iterator) {
                    restrict(p);
                }
            }
        }
        for (String name : FILES) {
            restrict(home.resolve(name));
        }
    }

    private static void restrict(Path p) throws IOException {
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            Files.setPosixFilePermissions(p, DIRECTORY);
        } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
            Files.setPosixFilePermissions(p, FILE);
        }
    }
}
