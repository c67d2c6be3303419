package io.jvirt.network;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Starts a process that inherits chosen open descriptors at chosen numbers — what QEMU needs for
 * {@code -netdev tap,fd=N} — which Java's {@code ProcessBuilder} cannot do (its child closes every descriptor
 * above 2). {@code posix_spawn(3)} through FFM with file actions: standard input from {@code /dev/null}, output and
 * errors appended to a log file, each handed descriptor {@code dup2}ed to its number (clearing close-on-exec), every
 * other descriptor from the first free number on closed ({@code closefrom}); the child starts its own session with no
 * signal blocked and every signal's default action (as {@code ProcessBuilder}'s children: not the JVM's mask). The
 * child is this JVM's, but no {@code Process} of it: a reaper thread of its own ({@code waitpid}) collects its exit
 * status, so it never stays a zombie. Thread-safe.
 */
public final class FdSpawn {
    /**
     * A started child.
     *
     * @param process the child, while it runs
     * @param exit completes with its exit status once it has ended and been reaped: the exit code, or 128 + the
     *     signal that ended it (as {@code Process.exitValue()})
     */
    public record Child(ProcessHandle process, java.util.concurrent.CompletableFuture<Integer> exit) {
        public long pid() {
            return process.pid();
        }
    }

    private static final Linker LINKER = Linker.nativeLinker();
    private static final int OPAQUE = 512; // larger than glibc's posix_spawn_file_actions_t (80) and posix_spawnattr_t (336)
    private static final short POSIX_SPAWN_SETSIGDEF = 0x04;
    private static final short POSIX_SPAWN_SETSIGMASK = 0x08;
    private static final short POSIX_SPAWN_SETSID = 0x80;
    private static final int SIGSET_SIZE = 128;
    private static final int O_RDONLY = 0;
    private static final int O_WRONLY = 1;
    private static final int O_CREAT = 0x40;
    private static final int O_APPEND = 0x400;
    private static final MethodHandle FA_INIT = handle("posix_spawn_file_actions_init", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle FA_DESTROY = handle("posix_spawn_file_actions_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle FA_OPEN = handle("posix_spawn_file_actions_addopen",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle FA_DUP2 = handle("posix_spawn_file_actions_adddup2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle FA_CLOSEFROM = handle("posix_spawn_file_actions_addclosefrom_np", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle ATTR_INIT = handle("posix_spawnattr_init", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle ATTR_DESTROY = handle("posix_spawnattr_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle ATTR_FLAGS = handle("posix_spawnattr_setflags", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_SHORT));
    private static final MethodHandle SIGEMPTYSET = handle("sigemptyset", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle SIGFILLSET = handle("sigfillset", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle ATTR_SIGMASK = handle("posix_spawnattr_setsigmask", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle ATTR_SIGDEFAULT = handle("posix_spawnattr_setsigdefault", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SPAWNP = handle("posix_spawnp",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));

    private FdSpawn() {}

    private static MethodHandle handle(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(() -> new IllegalStateException("libc has no " + name)),
                descriptor);
    }

    /**
     * Starts {@code argv} (the first element looked up in {@code PATH}) with {@code env}, its output in {@code log},
     * and {@code fds} (number in the child → descriptor in this process) open in it. Child numbers must be 3 or more;
     * a source descriptor may not be one of the child numbers (it could be overwritten before it is copied).
     */
    public static Child start(List<String> argv, Map<String, String> env, Path log, Map<Integer, Integer> fds) throws IOException {
        int firstFree = 3;
        for (Map.Entry<Integer, Integer> fd : fds.entrySet()) {
            if (fd.getKey() < 3) {
                throw new IllegalArgumentException("descriptors 0-2 are the child's standard streams: " + fd.getKey());
            }
            if (fds.containsKey(fd.getValue()) && !fd.getValue().equals(fd.getKey())) {
                throw new IllegalArgumentException("source descriptor " + fd.getValue() + " is also a target");
            }
            firstFree = Math.max(firstFree, fd.getKey() + 1);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment actions = arena.allocate(OPAQUE, 16);
            MemorySegment attr = arena.allocate(OPAQUE, 16);
            check((int) FA_INIT.invokeExact(actions), "file actions");
            check((int) ATTR_INIT.invokeExact(attr), "attributes");
            try {
                check((int) FA_OPEN.invokeExact(actions, 0, arena.allocateFrom("/dev/null"), O_RDONLY, 0), "stdin");
                check((int) FA_OPEN.invokeExact(actions, 1, arena.allocateFrom(log.toString()), O_WRONLY | O_CREAT | O_APPEND, 0600), "stdout");
                check((int) FA_DUP2.invokeExact(actions, 1, 2), "stderr");
                for (Map.Entry<Integer, Integer> fd : fds.entrySet()) {
                    check((int) FA_DUP2.invokeExact(actions, (int) fd.getValue(), (int) fd.getKey()), "descriptor " + fd.getKey());
                }
                check((int) FA_CLOSEFROM.invokeExact(actions, firstFree), "closefrom");
                // the JVM's threads block and handle signals of their own: the child starts with none blocked, all default
                MemorySegment none = arena.allocate(SIGSET_SIZE, 8);
                MemorySegment all = arena.allocate(SIGSET_SIZE, 8);
                check((int) SIGEMPTYSET.invokeExact(none), "sigemptyset");
                check((int) SIGFILLSET.invokeExact(all), "sigfillset");
                check((int) ATTR_SIGMASK.invokeExact(attr, none), "signal mask");
                check((int) ATTR_SIGDEFAULT.invokeExact(attr, all), "signal defaults");
                check((int) ATTR_FLAGS.invokeExact(attr, (short) (POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)), "flags");
                MemorySegment pid = arena.allocate(JAVA_INT);
                int error = (int) SPAWNP.invokeExact(pid, arena.allocateFrom(argv.getFirst()), actions, attr,
                        strings(arena, argv), strings(arena, env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList()));
                if (error != 0) {
                    throw new IOException("posix_spawn " + argv.getFirst() + " failed: errno " + error);
                }
                return reaped(pid.get(JAVA_INT, 0));
            } finally {
                int ignored = (int) FA_DESTROY.invokeExact(actions);
                ignored = (int) ATTR_DESTROY.invokeExact(attr);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** The child {@code pid}, with a small platform thread blocked in {@code waitpid} for it (a virtual one would pin its carrier). */
    private static Child reaped(int pid) throws IOException {
        ProcessHandle process = ProcessHandle.of(pid).orElseThrow(() -> new IOException("the child " + pid + " is not there"));
        java.util.concurrent.CompletableFuture<Integer> exit = new java.util.concurrent.CompletableFuture<>();
        Thread.ofPlatform().daemon().name("reap-" + pid).stackSize(128 * 1024).start(() -> {
            try {
                exit.complete(Libc.waitpid(pid));
            } catch (IOException | RuntimeException e) {
                exit.completeExceptionally(e);
            }
        });
        return new Child(process, exit);
    }

    private static MemorySegment strings(Arena arena, List<String> values) {
        MemorySegment array = arena.allocate(ADDRESS, values.size() + 1);
        for (int i = 0; i < values.size(); i++) {
            array.setAtIndex(ADDRESS, i, arena.allocateFrom(values.get(i)));
        }
        array.setAtIndex(ADDRESS, values.size(), MemorySegment.NULL);
        return array;
    }

    private static void check(int error, String what) throws IOException {
        if (error != 0) {
            throw new IOException("posix_spawn " + what + " failed: errno " + error);
        }
    }
}
