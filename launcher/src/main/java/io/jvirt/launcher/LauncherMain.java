package io.jvirt.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.converter.ConversionException;
import io.jvirt.converter.FirmwareFiles;
import io.jvirt.converter.LaunchPlan;
import io.jvirt.converter.NodeHandover;
import io.jvirt.converter.VmiConverter;
import io.jvirt.converter.LaunchRequest;
import io.jvirt.converter.Preparation;
import io.jvirt.launcher.domain.Domain;
import io.jvirt.launcher.domain.DomainEvent;
import io.jvirt.launcher.domain.DomainState;
import io.jvirt.converter.RunAs;
import io.jvirt.launcher.protocol.Command;
import io.jvirt.launcher.protocol.LauncherServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * virt-launcher: {@code LauncherMain <launch-request.json>} ({@code --train DIR}: see {@link Training};
 * {@code --standby DIR}: see {@link Standby}). Prepares and converts the VMI, then
 * serves the node agent on {@code <runDirectory>/launcher.sock} until the domain has ended, and
 * exits 0 when it shut off as asked, 2 when it crashed, 1 when it could not be prepared (the
 * reason on stderr). SIGTERM shuts a running guest down within its grace period first. Only
 * wiring lives here.
 */
public final class LauncherMain {
    /**
     * JVM options the node agent should start the launcher with. The launcher idles almost all the
     * time and handles a few small JSON messages, so it runs interpreted ({@code -Xint}: no JIT
     * threads, arenas or code), with a heap starting at 4 MiB, the serial collector, small stacks,
     * and the JDK's CDS archive mapped without relocation so its pages stay shared between
     * launchers. Measured on Temurin 25 (2 cores, loaded) with a paused 64 MiB guest, plus
     * {@link #cdsOptions} and {@link #ENVIRONMENT}: launcher RSS 54 MiB, PSS 38 MiB, socket ready in
     * 0.5–1 s; JVM defaults gave RSS 70 MiB, PSS 57 MiB.
     */
    public static final List<String> JVM_OPTIONS = List.of(
            "-Xint", "-Xms4m", "-Xmx24m", "-Xss256k", "-XX:+UseSerialGC", "-XX:MaxMetaspaceSize=48m",
            "-XX:-UsePerfData", "-XX:+UnlockDiagnosticVMOptions", "-XX:ArchiveRelocationMode=0");

    /** Environment for the launcher JVM: one malloc arena (the launcher has few busy threads). */
    public static final Map<String, String> ENVIRONMENT = Map.of("MALLOC_ARENA_MAX", "1");

    /**
     * Options for an application class-data archive at {@code archive}, created by the first launcher
     * that runs and mapped by the later ones (needs the launcher on the class path as jars, not
     * directories).
     */
    public static List<String> cdsOptions(Path archive) {
        return List.of("-XX:+AutoCreateSharedArchive", "-XX:SharedArchiveFile=" + archive);
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long DEFAULT_GRACE_SECONDS = 30;

    private LauncherMain() {}

    /** A VMI prepared and converted, ready to run. */
    record Launch(LaunchRequest request, NodeHandover handover, LaunchPlan plan) {}

    /** Reads the launch request, prepares the VMI's files and converts it (no QEMU yet). */
    static Launch prepare(Path requestFile) throws IOException, ConversionException {
        LaunchRequest request = JSON.readValue(Files.readString(requestFile), LaunchRequest.class);
        NodeHandover handover = Preparation.prepare(request, FirmwareFiles.debianOvmf());
        return new Launch(request, handover, new VmiConverter().convert(request.vmi(), handover));
    }

    public static void main(String[] args) throws Exception {
        boolean training = args.length == 2 && args[0].equals("--train");
        boolean standby = args.length == 2 && args[0].equals("--standby");
        if (args.length != 1 && !training && !standby) {
            System.err.println("usage: LauncherMain <launch-request.json> | --train <directory> | --standby <warm-up directory>");
            System.exit(1);
        }
        Path requestFile = Path.of(args[0]);
        try {
            if (training) {
                requestFile = Training.writeRequest(Path.of(args[1]));
            } else if (standby) {
                requestFile = Standby.awaitClaim(Path.of(args[1]));
            }
        } catch (IOException e) {
            System.err.println("jvirt-launcher: " + (training ? "training run" : "standby") + " failed: " + e);
            System.exit(1);
        }
        Launch launch;
        try {
            launch = prepare(requestFile);
        } catch (ConversionException | IOException e) {
            System.err.println("jvirt-launcher: cannot run this VMI: " + e.getMessage());
            System.exit(1);
            return;
        }
        LaunchRequest request = launch.request();
        NodeHandover handover = launch.handover();
        LaunchPlan plan = launch.plan();
        if (request.qemuUser() == null && RunAs.launcherIsRoot()) {
            System.err.println("jvirt-launcher: cannot run this VMI: the launch request names no qemuUser, and QEMU never runs as root");
            System.exit(1);
            return;
        }
        Domain domain = new Domain(plan, handover.runDirectory().path().resolve(Preparation.QEMU_LOG),
                request.qemuUser() == null ? null : RunAs.parse(request.qemuUser()));
        long grace = request.vmi().spec().terminationGracePeriodSeconds() == null
                ? DEFAULT_GRACE_SECONDS : request.vmi().spec().terminationGracePeriodSeconds();
        try (LauncherServer server = LauncherServer.start(handover.runDirectory().launcherSocket(), domain::state,
                command -> handle(domain, command, grace, plan))) {
            domain.addListener(server::publish);
            domain.addListener(event -> System.err.println("jvirt-launcher: " + event.state() + ": " + event.reason()));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> stopOnTermination(domain, grace)));
            if (training) {
                try {
                    Training.drive(handover.runDirectory().launcherSocket());
                } catch (IOException e) {
                    System.err.println("jvirt-launcher: training run failed: " + e.getMessage());
                    System.exit(1); // the shutdown hook kills QEMU
                }
            }
            DomainEvent end = domain.finished().get();
            domain.awaitIdle(); // a command still running (e.g. a failing Start) gets to answer
            Thread.sleep(200); // let the last response and event reach connected clients
            domain.close();
            System.exit(training || end.state() == DomainState.SHUTOFF ? 0 : 2);
        }
    }

    /**
     * On SIGTERM (the pod being deleted) a running guest gets the ACPI power button and its grace
     * period, like a Shutdown command; whatever still runs after that is killed.
     */
    private static void stopOnTermination(Domain domain, long grace) {
        try {
            DomainState state = domain.state();
            if (state == DomainState.RUNNING || state == DomainState.PAUSED) {
                domain.shutdown(Duration.ofSeconds(grace));
                domain.finished().get(grace + 5, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            System.err.println("jvirt-launcher: graceful stop failed: " + e.getMessage());
        } finally {
            try {
                domain.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static JsonNode handle(Domain domain, Command command, long grace, LaunchPlan plan) throws Exception {
        return switch (command) {
            case Command.Start start -> {
                domain.start(start.paused());
                yield null;
            }
            case Command.Pause p -> {
                domain.pause();
                yield null;
            }
            case Command.Unpause u -> {
                domain.unpause();
                yield null;
            }
            case Command.Shutdown s -> {
                domain.shutdown(Duration.ofSeconds(s.gracePeriodSeconds() == null ? grace : s.gracePeriodSeconds()));
                yield null;
            }
            case Command.Kill k -> {
                domain.kill();
                yield null;
            }
            case Command.Reset r -> {
                domain.reset();
                yield null;
            }
            case Command.SoftReboot r -> {
                domain.softReboot();
                yield null;
            }
            case Command.GetDomainInfo i -> info(domain, plan);
            case Command.GetStats s -> stats(domain);
            case Command.Query q -> domain.query(q.command());
            case Command.Ping p -> JSON.createObjectNode().put("pong", true).put("version", io.jvirt.launcher.protocol.Message.VERSION);
        };
    }

    private static JsonNode info(Domain domain, LaunchPlan plan) throws Exception {
        ObjectNode info = JSON.createObjectNode().put("state", domain.state().name()).put("qemuStatus", domain.queryStatus())
                .put("qemuPid", domain.qemuPid());
        info.putPOJO("lastEvent", domain.lastEvent());
        info.putPOJO("argv", plan.commandLine().argv());
        return info;
    }

    private static JsonNode stats(Domain domain) {
        long self = ProcessHandle.current().pid();
        long qemu = domain.qemuPid();
        return JSON.createObjectNode()
                .put("launcherRssKiB", memoryKiB(self, "Rss:")).put("launcherPssKiB", memoryKiB(self, "Pss:"))
                .put("qemuRssKiB", qemu < 0 ? 0 : memoryKiB(qemu, "Rss:")).put("qemuPssKiB", qemu < 0 ? 0 : memoryKiB(qemu, "Pss:"));
    }

    /** A line of /proc/<pid>/smaps_rollup in KiB, or 0 when unreadable. */
    private static long memoryKiB(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/smaps_rollup"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (Exception e) {
            return 0;
        }
        return 0;
    }
}
