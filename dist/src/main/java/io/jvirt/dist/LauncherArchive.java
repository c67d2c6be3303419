package io.jvirt.dist;

import io.jvirt.launcher.LauncherMain;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The launchers' class-data archive ({@code build/launcher.jsa}): made by one training run of the
 * launcher ({@code LauncherMain --train}, a real launch of a paused guest) under
 * {@code -XX:ArchiveClassesAtExit}, and made again when a jar of the launcher's class path is newer.
 * Every launcher maps it, which roughly halves the time from its start to QEMU's. Without it (the
 * training failed) launchers still run, only slower. The training's files and log stay in
 * {@code launcher-training/} beside the archive, for a look after a failure.
 */
final class LauncherArchive {
    private static final long TRAINING_SECONDS = 120;

    private LauncherArchive() {
    }

    /**
     * Returns the archive for launchers started by {@code java} (the command up to and with the JVM
     * options) on {@code classPath}, training one when it is missing or stale, or null when none could
     * be made.
     */
    static Path ensure(Path archive, List<String> java, String classPath) {
        try {
            if (upToDate(archive, classPath)) {
                return archive;
            }
            return train(archive, java, classPath, Files.createDirectories(archive.resolveSibling("launcher-training")));
        } catch (IOException e) {
            System.err.println("jvirt: no class-data archive for launchers: " + e.getMessage());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static Path train(Path archive, List<String> java, String classPath, Path dir) throws IOException, InterruptedException {
        Path made = archive.resolveSibling(archive.getFileName() + "." + ProcessHandle.current().pid()); // same file system: atomic move
        List<String> training = new ArrayList<>(java);
        training.addAll(List.of("-XX:ArchiveClassesAtExit=" + made, "-cp", classPath, LauncherMain.class.getName(),
                "--train", dir.resolve("vm").toString()));
        Path log = dir.resolve("training.log");
        Process p = new ProcessBuilder(training).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean ended = p.waitFor(TRAINING_SECONDS, TimeUnit.SECONDS);
        if (!ended || p.exitValue() != 0 || !Files.exists(made)) {
            p.destroyForcibly();
            Files.deleteIfExists(made);
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            System.err.println("jvirt: the launcher's training run failed, launchers start without a class-data archive; its last lines:\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size())));
            return null;
        }
        Files.move(made, archive, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return archive;
    }

    private static boolean upToDate(Path archive, String classPath) throws IOException {
        if (!Files.exists(archive)) {
            return false;
        }
        FileTime made = Files.getLastModifiedTime(archive);
        for (String entry : classPath.split(":")) {
            Path jar = Path.of(entry);
            if (!Files.isRegularFile(jar) || Files.getLastModifiedTime(jar).compareTo(made) > 0) {
                return false;
            }
        }
        return true;
    }
}
