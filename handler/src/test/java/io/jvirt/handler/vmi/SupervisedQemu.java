package io.jvirt.handler.vmi;

import io.jvirt.converter.DomainEvent;
import io.jvirt.converter.DomainState;
import io.jvirt.converter.FirmwareFiles;
import io.jvirt.converter.LaunchPlan;
import io.jvirt.converter.LaunchRequest;
import io.jvirt.converter.NodeHandover;
import io.jvirt.converter.Preparation;
import io.jvirt.converter.RunAs;
import io.jvirt.converter.RunDirectory;
import io.jvirt.converter.VmiConverter;
import io.jvirt.handler.pod.PodProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Test fixture: one VM as the node agent runs it, without Kubernetes: the converter prepares and converts the
 * launch request, QEMU starts as the pod runner starts it (umask 077, {@link LaunchPlan#processArgv}: QEMU's
 * own user, empty environment; stderr to {@code compute.log}), and a {@link Supervisor} holds its QMP socket
 * and learns its exit. {@link #close()} kills QEMU.
 */
final class SupervisedQemu implements AutoCloseable {
    final Process qemu;
    final Supervisor supervisor;
    final Path logDir;
    private final LinkedBlockingQueue<DomainEvent> events;

    private SupervisedQemu(Process qemu, Supervisor supervisor, Path logDir, LinkedBlockingQueue<DomainEvent> events) {
        this.qemu = qemu;
        this.supervisor = supervisor;
        this.logDir = logDir;
        this.events = events;
    }

    /** Prepares, converts and starts {@code request}; QEMU waits with stopped CPUs until {@link Supervisor#attach}. */
    static SupervisedQemu start(LaunchRequest request, Path logDir) throws Exception {
        return start(request, logDir, List.of());
    }

    /** Like {@link #start(LaunchRequest, Path)}, QEMU behind {@code prefix} (e.g. {@code ip netns exec NS}, which execs). */
    static SupervisedQemu start(LaunchRequest request, Path logDir, List<String> prefix) throws Exception {
        NodeHandover handover = Preparation.prepare(request, FirmwareFiles.debianOvmf());
        LaunchPlan plan = new VmiConverter().convert(request.vmi(), handover);
        List<String> argv = new ArrayList<>(prefix);
        argv.addAll(List.of("sh", "-c", "umask 077; exec \"$@\"", "qemu"));
        argv.addAll(plan.processArgv(request.qemuUser() == null ? null : RunAs.parse(request.qemuUser())));
        Path log = logDir.resolve(PodProcess.LOG_FILE);
        Process qemu = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        LinkedBlockingQueue<DomainEvent> events = new LinkedBlockingQueue<>();
        Supervisor supervisor = new Supervisor("it/demo", new RunDirectory(request.runDirectory()), Optional.of(qemu.toHandle()), events::add);
        qemu.onExit().thenAccept(p -> supervisor.qemuExited(OptionalInt.of(p.exitValue()), PodProcess.lastProcessLine(logDir).orElse(null)));
        return new SupervisedQemu(qemu, supervisor, logDir, events);
    }

    /** Waits for the next event in {@code state} (skipping others); fails after {@code timeout}. */
    DomainEvent awaitState(DomainState state, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            DomainEvent e = events.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (e == null) {
                throw new AssertionError("no " + state + " within " + timeout + "; now " + supervisor.state() + "; QEMU said: " + log());
            }
            if (e.state() == state) {
                return e;
            }
        }
    }

    /** QEMU's exit status, waiting up to {@code timeout}. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!qemu.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("QEMU did not exit within " + timeout);
        }
        return qemu.exitValue();
    }

    String log() {
        try {
            return Files.readString(logDir.resolve(PodProcess.LOG_FILE));
        } catch (Exception e) {
            return "";
        }
    }

    @Override
    public void close() throws Exception {
        supervisor.close();
        if (qemu.isAlive()) {
            qemu.destroyForcibly();
            qemu.waitFor(15, TimeUnit.SECONDS);
        }
    }
}
