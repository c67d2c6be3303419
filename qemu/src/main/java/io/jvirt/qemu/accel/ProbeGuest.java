package io.jvirt.qemu.accel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The probe's guest: a 64 KiB firmware image ({@code -bios}) whose reset vector jumps to a 16-bit
 * real-mode loop of {@value #LOOP_ITERATIONS} iterations, then writes {@value #EXIT_VALUE} to the
 * isa-debug-exit port {@value #DEBUG_EXIT_PORT}, which makes QEMU exit with
 * {@code (value << 1) | 1} = {@value #EXPECTED_EXIT_CODE}.
 *
 * <p>The loop is what tells a working accelerator from one that only emulates: real hardware
 * virtualisation and TCG both finish it in milliseconds; instruction-by-instruction emulation
 * (as /dev/kvm from kvm_pvm does for an ordinary guest) takes seconds.
 */
final class ProbeGuest {
    static final int LOOP_ITERATIONS = 1 << 24;
    static final int DEBUG_EXIT_PORT = 0xf4;
    static final int EXIT_VALUE = 0x2a;
    static final int EXPECTED_EXIT_CODE = (EXIT_VALUE << 1) | 1;

    private static final int ROM_SIZE = 64 * 1024; // QEMU wants a multiple of 64 KiB
    private static final int CODE_OFFSET = 0xff00; // runs at F000:FF00
    private static final int RESET_VECTOR = 0xfff0; // F000:FFF0, where the CPU starts
    private static final byte HLT = (byte) 0xf4;

    private ProbeGuest() {}

    /** The firmware image bytes. */
    static byte[] firmware() {
        byte[] rom = new byte[ROM_SIZE];
        Arrays.fill(rom, HLT);
        byte[] code = {
            0x66, (byte) 0xb9, le(LOOP_ITERATIONS, 0), le(LOOP_ITERATIONS, 1), le(LOOP_ITERATIONS, 2), le(LOOP_ITERATIONS, 3), // mov ecx, N
            0x66, 0x49,                           // loop: dec ecx
            0x75, (byte) 0xfc,                    //       jnz loop
            (byte) 0xb0, (byte) EXIT_VALUE,       // mov al, EXIT_VALUE
            (byte) 0xe6, (byte) DEBUG_EXIT_PORT,  // out DEBUG_EXIT_PORT, al
            HLT,                                  // hlt (not reached: QEMU has exited)
            (byte) 0xeb, (byte) 0xfd,             // jmp hlt
        };
        System.arraycopy(code, 0, rom, CODE_OFFSET, code.length);
        int rel = CODE_OFFSET - (RESET_VECTOR + 3);
        byte[] jump = {(byte) 0xe9, (byte) rel, (byte) (rel >> 8)}; // jmp near CODE_OFFSET
        System.arraycopy(jump, 0, rom, RESET_VECTOR, jump.length);
        return rom;
    }

    /** Writes the firmware to {@code file}. */
    static void writeTo(Path file) throws IOException {
        Files.write(file, firmware());
    }

    private static byte le(int value, int index) {
        return (byte) (value >>> (8 * index));
    }
}
