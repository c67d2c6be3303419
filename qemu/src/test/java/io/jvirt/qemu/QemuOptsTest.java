package io.jvirt.qemu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class QemuOptsTest {

    static Stream<Arguments> renderings() {
        return Stream.of(
                Arguments.of("plain head", QemuOpts.headed("driver", "virtio-blk-pci"), "virtio-blk-pci"),
                Arguments.of("head and props", QemuOpts.headed("driver", "virtio-net-pci").with("netdev", "net0").with("mac", "52:54:00:12:34:56"),
                        "virtio-net-pci,netdev=net0,mac=52:54:00:12:34:56"),
                Arguments.of("comma in value doubled", QemuOpts.empty().with("file", "/vm/a,b.qcow2"), "file=/vm/a,,b.qcow2"),
                Arguments.of("two commas", QemuOpts.empty().with("file", ",,"), "file=,,,,"),
                Arguments.of("comma in head doubled", QemuOpts.headed("vnc", "unix:/r/a,b"), "unix:/r/a,,b"),
                Arguments.of("equals in head needs key", QemuOpts.headed("guest", "a=b"), "guest=a=b"),
                Arguments.of("equals in value kept", QemuOpts.empty().with("path", "/x=y"), "path=/x=y"),
                Arguments.of("help head needs key", QemuOpts.headed("guest", "help"), "guest=help"),
                Arguments.of("question head needs key", QemuOpts.headed("guest", "?"), "guest=?"),
                Arguments.of("empty head needs key", QemuOpts.headed("guest", ""), "guest="),
                Arguments.of("booleans on/off", QemuOpts.empty().with("server", true).with("wait", false), "server=on,wait=off"),
                Arguments.of("numbers", QemuOpts.empty().with("bootindex", 1L), "bootindex=1"),
                Arguments.of("withAll keeps head of receiver", QemuOpts.headed("type", "q35").withAll(QemuOpts.headed("x", "y").with("hpet", false)),
                        "q35,hpet=off"),
                Arguments.of("empty", QemuOpts.empty(), ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renderings")
    void rendersAsQemuParsesIt(String name, QemuOpts opts, String expected) {
        assertEquals(expected, opts.render());
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"", "a,b", "a=b", "a b", ".x"})
    void rejectsKeysQemuCannotParse(String key) {
        assertThrows(IllegalArgumentException.class, () -> QemuOpts.empty().with(key, "v"));
    }

    @Test
    void isImmutable() {
        QemuOpts base = QemuOpts.headed("driver", "e1000");
        base.with("mac", "x");
        assertEquals("e1000", base.render());
    }
}
