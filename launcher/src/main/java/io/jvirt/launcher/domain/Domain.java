package io.jvirt.launcher.domain;

import io.jvirt.converter.LaunchPlan;
import io.jvirt.converter.RunAs;
import io.jvirt.qemu.qmp.QmpClient;
import io.jvirt.qemu.qmp.QmpEvent;
import io.jvirt.qemu.qmp.QmpException;
import io.jvirt.qemu.qmp.QmpListener;
import io.jvirt.qemu.qmp.QmpStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The one QEMU of a VMI, driven over QMP. QEMU is started with stopped CPUs, the QMP client
 * connects, then {@code cont} runs the guest unless a paused start was asked for. QMP events and
 * QEMU's exit move the state; every change goes to the listeners.
 *
 * <p>Thread-safe: commands are serialized on this object; events arrive on the QMP event thread
 * and the process-exit thread.
 */
public final class Domain implements AutoCloseable {
    private static final Duration QMP_CONNECT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration QMP_ATTEMPT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration FORCED_QUIT_WAIT = Duration.ofSeconds(10);

    private final LaunchPlan plan;
    private final Path qemuLog;
    private final RunAs runAs;
    private final List<Consumer<DomainEvent>> listeners = new CopyOnWriteArrayList<>();
    private final CompletableFuture<DomainEvent> finished = new CompletableFuture<>();
    private volatile DomainState state = DomainState.DEFINED;
    private volatile DomainEvent lastEvent;
    private volatile String stopRequestedReason;
    private volatile boolean guestShutdown;
    private volatile String panic;
    private QemuRun qemu;
    private QmpClient qmp;

    /**
     * @param plan QEMU's command line and environment
     * @param qemuLog where QEMU's stdout/stderr go
     * @param runAs the unprivileged user for QEMU, or null to run it as the launcher's user
     */
    public Domain(LaunchPlan plan, Path qemuLog, RunAs runAs) {
        this.plan = Objects.requireNonNull(plan, "plan");
        this.qemuLog = Objects.requireNonNull(qemuLog, "qemuLog");
        this.runAs = runAs;
    }

    /** Receives every state change from now on. */
    public void addListener(Consumer<DomainEvent> listener) {
        listeners.add(listener);
    }

    public DomainState state() {
        return state;
    }

    /** The most recent state change (for a node agent that connects late), or null before start. */
    public DomainEvent lastEvent() {
        return lastEvent;
    }

    /** Completes with the final event (SHUTOFF or CRASHED) once QEMU has exited. */
    public CompletableFuture<DomainEvent> finished() {
        return finished;
    }

    /** Returns once no command is being carried out (commands hold this object's lock). */
    public synchronized void awaitIdle() {
        // entering the monitor is the wait
    }

    /** The QEMU process id, or -1 before start. */
    public synchronized long qemuPid() {
        return qemu == null ? -1 : qemu.pid();
    }

    /**
     * Starts QEMU and, unless {@code paused}, the guest's CPUs. Returns once QMP is connected.
     *
     * @throws IOException if QEMU does not start or its monitor does not answer (QEMU's output is in the message)
     */
    public synchronized void start(boolean paused) throws IOException, InterruptedException {
        requireState("start", DomainState.DEFINED);
        move(DomainState.STARTING, "starting qemu");
        qemu = QemuRun.start(plan, qemuLog, runAs);
        qemu.onExit().thenAccept(this::onQemuExit);
        qmp = connectQmp(qmpSocket());
        restrictSockets(qmpSocket().getParent());
        if (paused) {
            move(DomainState.PAUSED, "started paused");
            return;
        }
        qmp.cont();
        move(DomainState.RUNNING, "started");
    }

    /**
     * QEMU creates its sockets (QMP, serial, VNC) with its umask; once it serves QMP they all exist,
     * and they become owner-only (0600) like the launcher's own. The run directory is 0700 already,
     * so a failure here (a launcher that neither owns them nor is root) loses no privacy.
     */
    private static void restrictSockets(Path runDirectory) {
        try (var files = Files.list(runDirectory)) {
            for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".sock")).toList()) {
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
            }
        } catch (IOException | UnsupportedOperationException e) {
            System.err.println("jvirt-launcher: sockets keep QEMU's mode: " + e.getMessage());
        }
    }

    /** Connects to QEMU's monitor, giving up as soon as QEMU has died (with its own words) or after the timeout. */
    private QmpClient connectQmp(Path socket) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + QMP_CONNECT_TIMEOUT.toNanos();
        while (true) {
            try {
                return QmpClient.connect(socket, QMP_ATTEMPT_TIMEOUT, new Listener());
            } catch (IOException e) {
                if (!qemu.isAlive() || System.nanoTime() > deadline) {
                    qemu.close();
                    throw new IOException("qemu did not come up: " + e.getMessage() + "; qemu said: " + qemu.logTail().strip(), e);
                }
            }
        }
    }

    /** Stops the guest's CPUs. */
    public synchronized void pause() throws QmpException, InterruptedException {
        requireState("pause", DomainState.RUNNING);
        qmp.stop();
        move(DomainState.PAUSED, "paused by request");
    }

    /** Resumes the guest's CPUs. */
    public synchronized void unpause() throws QmpException, InterruptedException {
        requireState("unpause", DomainState.PAUSED);
        qmp.cont();
        move(DomainState.RUNNING, "unpaused by request");
    }

    /** Hard reset, like the reset button. */
    public synchronized void reset() throws QmpException, InterruptedException {
        requireState("reset", DomainState.RUNNING, DomainState.PAUSED);
        qmp.systemReset();
    }

    /** Asks the guest to reboot itself by sending ctrl-alt-del on the keyboard (no guest agent here). */
    public synchronized void softReboot() throws QmpException, InterruptedException {
        requireState("soft reboot", DomainState.RUNNING);
        qmp.execute("send-key", keys("ctrl", "alt", "delete"), Duration.ofSeconds(5));
    }

    /**
     * Presses the ACPI power button, then waits (on a background thread) up to {@code grace} for
     * the guest to power off; after that QEMU is killed. Returns at once.
     */
    public synchronized void shutdown(Duration grace) throws QmpException, InterruptedException {
        requireState("shutdown", DomainState.RUNNING, DomainState.PAUSED, DomainState.SHUTTING_DOWN);
        if (state == DomainState.PAUSED) {
            qmp.cont();
        }
        qmp.systemPowerdown();
        move(DomainState.SHUTTING_DOWN, "ACPI power button pressed, grace period " + grace.toSeconds() + "s");
        QemuRun process = qemu;
        Thread.ofVirtual().name("grace-period").start(() -> {
            try {
                if (process.waitFor(grace).isEmpty()) {
                    stopRequestedReason = "grace period of " + grace.toSeconds() + "s expired, killed";
                    process.close();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** Ends QEMU now (QMP quit, SIGKILL if that fails). Returns once QEMU has exited. */
    public synchronized void kill() throws InterruptedException {
        requireState("kill", DomainState.STARTING, DomainState.RUNNING, DomainState.PAUSED, DomainState.SHUTTING_DOWN);
        stopRequestedReason = "killed by request";
        try {
            qmp.quit();
        } catch (QmpException e) {
            // the process is ended below either way
        }
        if (qemu.waitFor(FORCED_QUIT_WAIT).isEmpty()) {
            qemu.close();
        }
        qemu.waitFor(FORCED_QUIT_WAIT);
    }

    /** QEMU's view of the run state, or the launcher's when QEMU is gone. */
    public synchronized String queryStatus() throws QmpException, InterruptedException {
        if (state.isFinal() || qmp == null || !qmp.isConnected()) {
            return state.name();
        }
        QmpStatus status = qmp.queryStatus();
        return status.rawState();
    }

    /**
     * Runs one read-only QMP query and returns QEMU's answer.
     *
     * @throws IllegalArgumentException unless {@code command} is {@code query-} and lower-case letters and dashes
     * @throws IllegalStateException when QEMU's monitor is not connected
     */
    public synchronized com.fasterxml.jackson.databind.JsonNode query(String command) throws QmpException, InterruptedException {
        if (command == null || !command.matches("query-[a-z]+(-[a-z]+)*")) {
            throw new IllegalArgumentException("not a read-only QMP query: " + command);
        }
        if (qmp == null || !qmp.isConnected()) {
            throw new IllegalStateException("QEMU's monitor is not connected");
        }
        return qmp.execute(command, null, QmpClient.DEFAULT_TIMEOUT);
    }

    @Override
    public synchronized void close() throws InterruptedException {
        if (qmp != null) {
            qmp.close();
        }
        if (qemu != null) {
            qemu.close();
        }
    }

    private Path qmpSocket() {
        List<String> args = plan.commandLine().args();
        for (int i = 0; i + 1 < args.size(); i++) {
            if (args.get(i).equals("-chardev") && args.get(i + 1).startsWith("socket,id=qmp,")) {
                for (String part : args.get(i + 1).split(",")) {
                    if (part.startsWith("path=")) {
                        return Path.of(part.substring("path=".length()));
                    }
                }
            }
        }
        throw new IllegalStateException("the launch plan has no QMP socket");
    }

    private static com.fasterxml.jackson.databind.node.ObjectNode keys(String... names) {
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        var args = mapper.createObjectNode();
        var array = args.putArray("keys");
        for (String name : names) {
            array.addObject().put("type", "qcode").put("data", name);
        }
        return args;
    }

    private void requireState(String action, DomainState... legal) {
        for (DomainState s : legal) {
            if (state == s) {
                return;
            }
        }
        throw new IllegalStateException("cannot " + action + " in state " + state);
    }

    private void move(DomainState next, String reason) {
        if (state.isFinal()) {
            return;
        }
        state = next;
        DomainEvent event = new DomainEvent(next, reason, Instant.now());
        lastEvent = event;
        for (Consumer<DomainEvent> l : listeners) {
            l.accept(event);
        }
        if (next.isFinal()) {
            finished.complete(event);
        }
    }

    private void onQemuExit(int code) {
        if (qmp != null) {
            qmp.close();
        }
        String how = code > 128 ? "qemu killed by signal " + (code - 128) : "qemu exited with code " + code;
        if (panic != null) {
            move(DomainState.CRASHED, "guest panicked (" + panic + "); " + how);
        } else if (stopRequestedReason != null) {
            move(DomainState.SHUTOFF, stopRequestedReason);
        } else if (guestShutdown && code == 0) {
            move(DomainState.SHUTOFF, "guest shutdown");
        } else {
            String tail = qemu == null ? "" : qemu.logTail().strip();
            move(DomainState.CRASHED, how + (tail.isEmpty() ? "" : ": " + tail));
        }
    }

    private final class Listener implements QmpListener {
        @Override
        public void onEvent(QmpEvent event) {
            switch (event) {
                case QmpEvent.Shutdown s -> guestShutdown = s.guest() || guestShutdown;
                case QmpEvent.GuestPanicked p -> panic = p.action();
                case QmpEvent.Stop s -> {
                    if (state == DomainState.RUNNING) {
                        move(DomainState.PAUSED, "stopped by qemu");
                    }
                }
                case QmpEvent.Resume r -> {
                    if (state == DomainState.PAUSED) {
                        move(DomainState.RUNNING, "resumed by qemu");
                    }
                }
                default -> { }
            }
        }
    }
}
