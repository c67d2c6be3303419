package io.jvirt.qemu.qmp;

import java.util.Locale;

/** The answer of {@code query-status}: whether the vCPUs run and QEMU's run state. */
public record QmpStatus(boolean running, RunState state, String rawState) {

    /** QEMU's RunState values; {@link #OTHER} for a value this client does not know. */
    public enum RunState {
        DEBUG, INMIGRATE, INTERNAL_ERROR, IO_ERROR, PAUSED, POSTMIGRATE, PRELAUNCH, FINISH_MIGRATE,
        RESTORE_VM, RUNNING, SAVE_VM, SHUTDOWN, SUSPENDED, WATCHDOG, GUEST_PANICKED, COLO, OTHER;

        /** Maps QMP's spelling ({@code inmigrate}, {@code guest-panicked}) to the constant. */
        public static RunState fromQmp(String value) {
            try {
                return valueOf(value.toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                return OTHER;
            }
        }
    }
}
