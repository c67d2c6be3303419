package io.jvirt.handler.vmi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.converter.DomainEvent;
import io.jvirt.converter.DomainState;
import io.jvirt.converter.RunDirectory;
import io.jvirt.qemu.qmp.QmpClient;
import io.jvirt.qemu.qmp.QmpEvent;
import io.jvirt.qemu.qmp.QmpException;
import io.jvirt.qemu.qmp.QmpListener;
import io.jvirt.qemu.qmp.QmpStatus;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The node agent's hold on one VM's QEMU (the launcher pod's one process), over QEMU's QMP socket: the
 * per-VM supervisor. {@link #attach} connects to a QEMU the pod runner started (with {@code -S}: CPUs
 * stopped) or one a previous agent left running, and brings the domain where it belongs from
 * {@code query-status}: a fresh QEMU ({@code prelaunch}) gets {@code cont} unless it starts paused; one
 * found in {@code shutdown} (the guest powered off while no agent watched: QEMU runs with
 * {@code -no-shutdown}) or {@code guest-panicked} is ended and reported as such. Then QMP events move
 * the state; every change goes to the listener. QEMU's exit is learnt from the pod runner
 * ({@link #qemuExited}), which decides between SHUTOFF (asked for, or guest power-off) and CRASHED
 * (anything else, with QEMU's exit and last words; guest panic).
 *
 * <p>Thread-safe: commands are serialized on this object; events arrive on the QMP event thread.
 */
public final class Supervisor implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Supervisor.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration QMP_CONNECT_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration QUIT_WAIT = Duration.ofSeconds(10);

    /**
     * What the supervisor reports (read-only, for status and metrics).
     *
     * @param state the domain state
     * @param qemuStatus QEMU's own run state ({@code query-status}), or the domain state's name when QEMU is gone
     * @param qemuPid QEMU's process id
     * @param lastEvent the most recent state change, or null before {@link #attach}
     */
    public record Info(DomainState state, String qemuStatus, long qemuPid, DomainEvent lastEvent) {}

    private final String name;
    private final RunDirectory run;
    private final Optional<ProcessHandle> qemu;
    private final Consumer<DomainEvent> listener;
    private final CompletableFuture<DomainEvent> finished = new CompletableFuture<>();
    private volatile DomainState state = DomainState.STARTING;
    private volatile DomainEvent lastEvent;
    private volatile QmpClient qmp;
    private volatile String stopReason;
    private volatile String panic;
    private volatile boolean closed;

    /**
     * @param name the VMI's {@code namespace/name}, for log lines
     * @param run the run directory holding QEMU's {@code qmp.sock}, {@code serial.sock}, {@code vnc.sock}
     * @param qemu the QEMU process (the pod's one process); empty when it has ended already (then only
     *     {@link #qemuExited} is of use)
     * @param listener receives every state change, on the thread that made it; must not block long
     */
    public Supervisor(String name, RunDirectory run, Optional<ProcessHandle> qemu, Consumer<DomainEvent> listener) {
        this.name = Objects.requireNonNull(name, "name");
        this.run = Objects.requireNonNull(run, "run");
        this.qemu = Objects.requireNonNull(qemu, "qemu");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /** The run directory: QEMU's sockets for console and VNC. */
    public RunDirectory runDirectory() {
        return run;
    }

    public DomainState state() {
        return state;
    }

    /** QEMU's process id, or -1 when it had ended before this supervisor was made. */
    public long qemuPid() {
        return qemu.map(ProcessHandle::pid).orElse(-1L);
    }

    /** Completes with the final event (SHUTOFF or CRASHED). */
    public CompletableFuture<DomainEvent> finished() {
        return finished;
    }

    /**
     * Connects to QEMU's monitor and settles the domain from QEMU's run state. Idempotent once connected.
     *
     * @param startPaused the VMI's {@code startStrategy} is {@code Paused}: a fresh QEMU stays with stopped CPUs
     * @throws IOException when QEMU's monitor does not answer (QEMU died, or never came up), or this supervisor was
     *     closed meanwhile
     */
    public synchronized void attach(boolean startPaused) throws IOException, InterruptedException {
        if (qmp != null && qmp.isConnected()) {
            return;
        }
        qmp = QmpClient.connect(run.qmpSocket(), QMP_CONNECT_TIMEOUT, () -> !closed && qemuAlive(), new Events());
        if (closed) {
            // QEMU serves one monitor client at a time: a session kept past close would keep the next agent's waiting
            qmp.close();
            throw new IOException("the supervisor of " + name + " was closed while it connected to QEMU's monitor");
        }
        QmpStatus status = qmp.queryStatus();
        switch (status.state()) {
            case PRELAUNCH -> {
                if (startPaused) {
                    move(DomainState.PAUSED, "started paused");
                } else {
                    qmp.cont();
                    move(DomainState.RUNNING, "started");
                }
            }
            case RUNNING -> move(DomainState.RUNNING, "re-adopted running");
            case SHUTDOWN -> end("guest shutdown (seen on reconnect)");
            case GUEST_PANICKED -> {
                panic = "seen on reconnect";
                end(null);
            }
            case INTERNAL_ERROR -> end(null);
            default -> move(DomainState.PAUSED, "re-adopted in QEMU state " + status.rawState());
        }
    }

    /** Stops the guest's CPUs. */
    public synchronized void pause() throws QmpException, InterruptedException {
        require("pause", DomainState.RUNNING);
        qmp.stop();
        move(DomainState.PAUSED, "paused by request");
    }

    /** Resumes the guest's CPUs. */
    public synchronized void unpause() throws QmpException, InterruptedException {
        require("unpause", DomainState.PAUSED);
        qmp.cont();
        move(DomainState.RUNNING, "unpaused by request");
    }

    /** Hard reset, like the reset button. */
    public synchronized void reset() throws QmpException, InterruptedException {
        require("reset", DomainState.RUNNING, DomainState.PAUSED);
        qmp.systemReset();
    }

    /** Asks the guest to reboot itself: ctrl-alt-del on its keyboard (there is no guest agent). */
    public synchronized void softReboot() throws QmpException, InterruptedException {
        require("soft reboot", DomainState.RUNNING);
        ObjectNode args = JSON.createObjectNode();
        for (String key : new String[] {"ctrl", "alt", "delete"}) {
            args.withArray("keys").addObject().put("type", "qcode").put("data", key);
        }
        qmp.execute("send-key", args, COMMAND_TIMEOUT);
    }

    /**
     * Presses the ACPI power button and returns at once; the guest's power-off ends QEMU (SHUTOFF). Whatever
     * still runs after {@code grace} is killed (SHUTOFF with the reason). Legal while RUNNING, PAUSED (the
     * CPUs are resumed first) or already SHUTTING_DOWN.
     */
    public synchronized void shutdown(Duration grace) throws QmpException, InterruptedException {
        require("shutdown", DomainState.RUNNING, DomainState.PAUSED, DomainState.SHUTTING_DOWN);
        if (state == DomainState.PAUSED) {
            qmp.cont();
        }
        qmp.systemPowerdown();
        move(DomainState.SHUTTING_DOWN, "ACPI power button pressed, grace period " + grace.toSeconds() + "s");
        Thread.ofVirtual().name("grace-" + name).start(() -> {
            try {
                qemuExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                stopReason = "grace period of " + grace.toSeconds() + "s expired, killed";
                qemu.ifPresent(ProcessHandle::destroyForcibly);
            } catch (Exception e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /**
     * Stops the VM within {@code grace} and returns once QEMU has exited: the ACPI power button, then
     * SIGKILL after the grace period; a QEMU that is not running a guest (starting, already shutting off) is
     * ended at once. For a pod being deleted.
     */
    public void stop(Duration grace) throws InterruptedException {
        try {
            switch (state) {
                case RUNNING, PAUSED, SHUTTING_DOWN -> shutdown(grace);
                default -> kill();
            }
        } catch (QmpException | IllegalStateException e) {
            kill();
        }
        try {
            qemuExit().get(grace.toMillis() + QUIT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
            qemu.ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /** Ends QEMU now (QMP {@code quit}, SIGKILL if it does not exit) and returns once it has exited. */
    public void kill() throws InterruptedException {
        stopReason = stopReason == null ? "killed by request" : stopReason;
        quitQemu();
    }

    /**
     * QEMU has exited (told by the pod runner, which watches the process): the final state. Idempotent.
     *
     * @param exitCode QEMU's exit status (128 + signal when killed), empty when it ended while no agent watched
     * @param lastWords QEMU's last line on stderr, or null
     */
    public void qemuExited(OptionalInt exitCode, String lastWords) {
        QmpClient c = qmp;
        if (c != null) {
            c.close();
        }
        String how = exitCode.isEmpty() ? "qemu ended while no node agent watched it"
                : exitCode.getAsInt() > 128 ? "qemu killed by signal " + (exitCode.getAsInt() - 128)
                : "qemu exited with code " + exitCode.getAsInt();
        String words = lastWords == null || lastWords.isBlank() ? "" : ": " + lastWords.strip();
        if (panic != null) {
            move(DomainState.CRASHED, "guest panicked (" + panic + "); " + how);
        } else if (stopReason != null) {
            move(DomainState.SHUTOFF, stopReason);
        } else if (exitCode.orElse(-1) == 0) {
            move(DomainState.SHUTOFF, how); // QEMU runs with -no-shutdown: it exits 0 only when told to (quit, SIGTERM)
        } else {
            move(DomainState.CRASHED, how + words);
        }
    }

    /** QEMU's view of the run state ({@code query-status}), or the domain's when QEMU is gone. */
    public Info info() {
        QmpClient c = qmp;
        String status = state.name();
        if (!state.isFinal() && c != null && c.isConnected()) {
            try {
                status = c.queryStatus().rawState();
            } catch (QmpException e) {
                // QEMU went away meanwhile: the domain's own state stands
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return new Info(state, status, qemuPid(), lastEvent);
    }

    /**
     * A read-only QMP query ({@code query-*}, e.g. {@code query-blockstats}) for metrics; empty when QEMU's
     * monitor is not connected.
     *
     * @throws IllegalArgumentException for a command that is not a query
     */
    public Optional<JsonNode> query(String command) throws QmpException, InterruptedException {
        if (!command.matches("query-[a-z-]+")) {
            throw new IllegalArgumentException("not a read-only QMP query: " + command);
        }
        QmpClient c = qmp;
        return c == null || !c.isConnected() ? Optional.empty() : Optional.of(c.execute(command, null, COMMAND_TIMEOUT));
    }

    /** Closes the QMP session, also one {@link #attach} is still opening; QEMU keeps running (a new supervisor re-adopts it). */
    @Override
    public void close() {
        closed = true;
        QmpClient c = qmp;
        if (c != null) {
            c.close();
        }
    }

    /** The agent ends QEMU on purpose ({@code reason} makes it SHUTOFF; null leaves the verdict to the panic). */
    private void end(String reason) {
        if (reason != null) {
            stopReason = reason;
        }
        Thread.ofVirtual().name("end-" + name).start(() -> {
            try {
                quitQemu();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private void quitQemu() throws InterruptedException {
        QmpClient c = qmp;
        try {
            if (c != null && c.isConnected()) {
                c.quit();
            }
        } catch (QmpException e) {
            // SIGKILL below
        }
        try {
            qemuExit().get(QUIT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
            qemu.ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    private boolean qemuAlive() {
        return qemu.map(ProcessHandle::isAlive).orElse(false);
    }

    private CompletableFuture<ProcessHandle> qemuExit() {
        return qemu.map(ProcessHandle::onExit).orElse(CompletableFuture.completedFuture(null));
    }

    private void require(String action, DomainState... legal) {
        for (DomainState s : legal) {
            if (state == s) {
                return;
            }
        }
        throw new IllegalStateException("cannot " + action + " in state " + state);
    }

    private synchronized void move(DomainState next, String reason) {
        if (state.isFinal()) {
            return;
        }
        state = next;
        DomainEvent event = new DomainEvent(next, reason, Instant.now());
        lastEvent = event;
        LOG.log(System.Logger.Level.DEBUG, name + ": " + next + ": " + reason);
        listener.accept(event);
        if (next.isFinal()) {
            finished.complete(event);
        }
    }

    /** Moves the state on QMP events; serialized with the commands, so an event never overtakes a command's own move. */
    private synchronized void onQmpEvent(QmpEvent event) {
        switch (event) {
            case QmpEvent.GuestPanicked p -> {
                panic = p.action() == null ? "panic" : p.action();
                end(null);
            }
            case QmpEvent.Shutdown s -> {
                // with -no-shutdown QEMU stays (CPUs stopped) after the guest's power-off: the agent ends it;
                // a host signal or a quit ends QEMU by itself
                if (panic == null && !"host-signal".equals(s.reason()) && !"host-qmp-quit".equals(s.reason())) {
                    end(stopReason == null ? "guest shutdown" : stopReason);
                }
            }
            case QmpEvent.Stop s -> {
                if (state == DomainState.RUNNING && panic == null && stopReason == null) {
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

    private final class Events implements QmpListener {
        @Override
        public void onEvent(QmpEvent event) {
            onQmpEvent(event);
        }
    }
}
