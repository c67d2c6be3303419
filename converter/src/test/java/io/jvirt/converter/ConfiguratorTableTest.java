package io.jvirt.converter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvirt.api.v1.VirtualMachineInstance;
import io.jvirt.qemu.Accel;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One table per Configurator: a spec fragment in, the argv words it must produce (consecutive,
 * space-joined) out; and the spec fragments each must refuse, with the field named in the error.
 * Specs are JSON; {@code '} stands for {@code "} to keep the tables readable.
 */
class ConfiguratorTableTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The argv (without the binary) for a spec, joined by spaces, with the fixture handover. */
    static String argv(String spec) throws Exception {
        return argv(spec, Accel.TCG);
    }

    static String argv(String spec, Accel accel) throws Exception {
        VirtualMachineInstance vmi = vmi(spec);
        NodeHandover h = Handovers.forVmi(vmi);
        h = new NodeHandover(h.runDirectory(), accel, h.tcgTranslationCacheMiB(), h.volumes(), h.networks(), h.kernel(), h.firmware());
        LaunchPlan plan = new VmiConverter().convert(vmi, h);
        return String.join(" ", plan.commandLine().args());
    }

    static VirtualMachineInstance vmi(String spec) throws Exception {
        ObjectNode vmi = JSON.createObjectNode();
        vmi.putObject("metadata").put("name", "vm1").put("namespace", "ns1").put("uid", "u-1");
        ObjectNode s = (ObjectNode) JSON.readTree(spec.replace('\'', '"'));
        if (!s.has("domain")) {
            s.putObject("domain");
        }
        ObjectNode domain = (ObjectNode) s.get("domain");
        if (!domain.has("memory")) {
            domain.putObject("memory").put("guest", "64Mi");
        }
        vmi.set("spec", s);
        return JSON.treeToValue(vmi, VirtualMachineInstance.class);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
        {}                                                  | -machine q35 -machine acpi=on,smm=off
        {'domain':{'machine':{'type':'pc'}}}                | -machine pc
        {'domain':{'machine':{'type':'pc-q35-7.2'}}}        | -machine pc-q35-7.2
        {'domain':{'features':{'acpi':{'enabled':false}}}}  | -machine acpi=off,smm=off
        {'domain':{'features':{'smm':{}}}}                  | -machine acpi=on,smm=on
        {'domain':{'features':{'smm':{'enabled':false}}}}   | -machine acpi=on,smm=off
        """)
    void machineAndFeatures(String spec, String expected) throws Exception {
        assertContains(argv(spec), expected);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
        {}                                                                  | -cpu max -smp 1,sockets=1,cores=1,threads=1
        {'domain':{'cpu':{'cores':2}}}                                      | -smp 2,sockets=1,cores=2,threads=1
        {'domain':{'cpu':{'sockets':2,'cores':2,'threads':2}}}              | -smp 8,sockets=2,cores=2,threads=2
        {'domain':{'cpu':{'model':'host-passthrough'}}}                     | -cpu max
        {'domain':{'cpu':{'model':'Skylake-Client'}}}                       | -cpu Skylake-Client
        {'domain':{'features':{'apic':{'enabled':false}}}}                  | -cpu max,-apic
        {'domain':{'resources':{'limits':{'cpu':'1500m'}}}}                 | -smp 2,sockets=2,cores=1,threads=1
        {'domain':{'resources':{'requests':{'cpu':'3'}}}}                   | -smp 3,sockets=3,cores=1,threads=1
        """)
    void cpu(String spec, String expected) throws Exception {
        assertContains(argv(spec), expected);
    }

    @Test
    void cpuHostModelUnderKvmIsHost() throws Exception {
        assertContains(argv("{}", Accel.KVM), "-accel kvm -cpu host");
        assertContains(argv("{}", Accel.TCG), "-accel tcg,tb-size=32 -cpu max");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
        {'domain':{'memory':{'guest':'64Mi'}}}                              | -m 64M
        {'domain':{'memory':{'guest':'1G'}}}                                | -m 954M
        {'domain':{'memory':{'guest':'1.5Gi'}}}                             | -m 1536M
        {'domain':{'memory':null,'resources':{'requests':{'memory':'96Mi'}}}}             | -m 96M
        {'domain':{'memory':null,'resources':{'limits':{'memory':'128M'}}}}               | -m 123M
        """)
    void memory(String spec, String expected) throws Exception {
        assertContains(argv(spec.replace("'memory':null,", "'memory':{},")), expected);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
        {'domain':{'firmware':{'bootloader':{'bios':{}}}}}                              | -rtc base=utc
        {'domain':{'firmware':{'bootloader':{'efi':{'secureBoot':false}}}}}             | -drive if=pflash,format=raw,unit=0,file=/usr/share/OVMF/OVMF_CODE_4M.fd,readonly=on -drive if=pflash,format=raw,unit=1,file=/run/jvirt/vmi/ns1_vm1/efi-vars.fd -rtc
        {'domain':{'firmware':{'bootloader':{'efi':{}}}}}                               | -machine acpi=on,smm=on
        {'domain':{'firmware':{'bootloader':{'efi':{}}}}}                               | file=/usr/share/OVMF/OVMF_CODE_4M.secboot.fd,readonly=on -drive if=pflash,format=raw,unit=1,file=/run/jvirt/vmi/ns1_vm1/efi-vars.fd -global driver=cfi.pflash01,property=secure,value=on
        {'domain':{'firmware':{'uuid':'5d307ca9-b3ef-428c-8861-06e72d69f223'}}}         | -uuid 5d307ca9-b3ef-428c-8861-06e72d69f223
        {'domain':{'firmware':{'serial':'SN-1,2'}}}                                     | NOT-ALLOWED
        {'domain':{'firmware':{'serial':'SN-12'}}}                                      | -smbios type=1,serial=SN-12
        {'domain':{'firmware':{'kernelBoot':{'kernelArgs':'console=ttyS0 quiet','container':{'image':'k','kernelPath':'/boot/vmlinuz','initrdPath':'/boot/initrd'}}}}} | -kernel /var/lib/jvirt/kernels/vm1/vmlinuz -initrd /var/lib/jvirt/kernels/vm1/initrd -append console=ttyS0 quiet
        """)
    void firmware(String spec, String expected) throws Exception {
        if (expected.equals("NOT-ALLOWED")) {
            assertThrows(ConversionException.class, () -> argv(spec));
            return;
        }
        assertContains(argv(spec), expected);
    }

    @Test
    void biosAddsNoFirmwareArguments() throws Exception {
        String bios = argv("{'domain':{'firmware':{'bootloader':{'bios':{}}}}}");
        assertFalse(bios.contains("pflash") || bios.contains("-bios") || bios.contains("-kernel"), bios);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
        {}                                                        | -rtc base=utc
        {'domain':{'clock':{'utc':{}}}}                           | -rtc base=utc
        {'domain':{'clock':{'timezone':'Europe/Berlin'}}}         | -rtc base=localtime
        """)
    void clock(String spec, String expected) throws Exception {
        assertContains(argv(spec), expected);
    }

    @Test
    void timezoneGoesToQemusEnvironment() throws Exception {
        VirtualMachineInstance vmi = vmi("{'domain':{'clock':{'timezone':'Europe/Berlin'}}}");
        assertEquals(Map.of("TZ", "Europe/Berlin"), new VmiConverter().convert(vmi, Handovers.forVmi(vmi)).environment());
    }

    private static final String VOL = "'volumes':[{'name':'d','hostDisk':{'path':'/d.img','type':'Disk'}},{'name':'e','hostDisk':{'path':'/e.img','type':'Disk'}}]";

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
        'disks':[{'name':'d'}]                                                     | -device virtio-blk-pci,drive=drive0,id=ua-d
        'disks':[{'name':'d','disk':{'bus':'virtio'},'bootOrder':1}]               | -device virtio-blk-pci,drive=drive0,id=ua-d,bootindex=1
        'disks':[{'name':'d','disk':{'bus':'sata'}}]                               | -device ich9-ahci,id=sata0 -blockdev file,node-name=drive0-file,filename=/var/lib/jvirt/disks/ns1_vm1/d/disk.img -blockdev raw,node-name=drive0,file=drive0-file -device ide-hd,bus=sata0.0,drive=drive0,id=ua-d
        'disks':[{'name':'d','disk':{'bus':'scsi'}}]                               | -device virtio-scsi-pci,id=scsi0
        'disks':[{'name':'d','disk':{'bus':'scsi'}}]                               | -device scsi-hd,bus=scsi0.0,channel=0,scsi-id=0,lun=0,drive=drive0,id=ua-d
        'disks':[{'name':'d','disk':{'bus':'usb'}}]                                | -device qemu-xhci,id=usb0
        'disks':[{'name':'d','disk':{'bus':'usb'}}]                                | -device usb-storage,bus=usb0.0,drive=drive0,id=ua-d
        'disks':[{'name':'d','cdrom':{}}]                                          | filename=/var/lib/jvirt/disks/ns1_vm1/d/disk.img,read-only=on -blockdev raw,node-name=drive0,file=drive0-file,read-only=on -device ide-cd,bus=sata0.0,drive=drive0,id=ua-d
        'disks':[{'name':'d','cdrom':{'bus':'scsi','readonly':false}}]             | -blockdev raw,node-name=drive0,file=drive0-file -device scsi-cd,bus=scsi0.0
        'disks':[{'name':'d','lun':{}}]                                            | -device scsi-hd,bus=scsi0.0,channel=0,scsi-id=0,lun=0,drive=drive0,id=ua-d
        'disks':[{'name':'d','disk':{'readonly':true}}]                            | -blockdev raw,node-name=drive0,file=drive0-file,read-only=on
        'disks':[{'name':'d','serial':'abc-1'}]                                    | -device virtio-blk-pci,drive=drive0,id=ua-d,serial=abc-1
        'disks':[{'name':'d','cache':'none'}]                                      | filename=/var/lib/jvirt/disks/ns1_vm1/d/disk.img,cache.direct=on -blockdev
        'disks':[{'name':'d','cache':'none'}]                                      | id=ua-d,write-cache=on
        'disks':[{'name':'d','cache':'writethrough'}]                              | id=ua-d,write-cache=off
        'disks':[{'name':'d','cache':'none','io':'native'}]                        | cache.direct=on,aio=native
        'disks':[{'name':'d','io':'threads'}]                                      | disk.img,aio=threads
        'disks':[{'name':'d','disk':{'bus':'sata'}},{'name':'e','cdrom':{'bus':'sata'},'bootOrder':1}] | -device ide-cd,bus=sata0.1,drive=drive1,id=ua-e,bootindex=1
        """)
    void disks(String devices, String expected) throws Exception {
        assertContains(argv("{'domain':{'devices':{" + devices + "}}," + VOL + "}"), expected);
    }

    private static final String CLOUD_INIT = "'volumes':[{'name':'ci','cloudInitNoCloud':{'userData':'#!/bin/sh'}}]";

    /** A generated image follows its target as in KubeVirt: writable on a disk (so a sata disk is an ide-hd QEMU takes), read-only on a cdrom. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
        'disks':[{'name':'ci','disk':{'bus':'sata'}}]                      | filename=/run/jvirt/vmi/ns1_vm1/cloudinit-ci.iso -blockdev raw,node-name=drive0,file=drive0-file -device ide-hd,bus=sata0.0,drive=drive0,id=ua-ci
        'disks':[{'name':'ci','disk':{'bus':'virtio'}}]                    | filename=/run/jvirt/vmi/ns1_vm1/cloudinit-ci.iso -blockdev raw,node-name=drive0,file=drive0-file -device virtio-blk-pci
        'disks':[{'name':'ci','cdrom':{'bus':'sata'}}]                     | filename=/run/jvirt/vmi/ns1_vm1/cloudinit-ci.iso,read-only=on -blockdev raw,node-name=drive0,file=drive0-file,read-only=on -device ide-cd,bus=sata0.0
        'disks':[{'name':'ci','disk':{'bus':'virtio','readonly':true}}]    | filename=/run/jvirt/vmi/ns1_vm1/cloudinit-ci.iso,read-only=on
        """)
    void generatedImagesFollowTheirTarget(String devices, String expected) throws Exception {
        assertContains(argv("{'domain':{'devices':{" + devices + "}}," + CLOUD_INIT + "}"), expected);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
        'ioThreadsPolicy':'shared','devices':{'disks':[{'name':'d'},{'name':'e'}]}  | -object iothread,id=iothread0 -blockdev
        'ioThreadsPolicy':'shared','devices':{'disks':[{'name':'d'},{'name':'e'}]}  | id=ua-e,iothread=iothread0
        'ioThreadsPolicy':'auto','devices':{'disks':[{'name':'d'},{'name':'e'}]},'cpu':{'cores':2} | -object iothread,id=iothread0 -object iothread,id=iothread1
        'devices':{'disks':[{'name':'d','dedicatedIOThread':true},{'name':'e'}]}       | -object iothread,id=iothread-d -blockdev
        """)
    void ioThreads(String domain, String expected) throws Exception {
        String argv = argv("{'domain':{" + domain + "}," + VOL + "}");
        assertContains(argv, expected);
    }

    @Test
    void bootOrderMakesBootStrict() throws Exception {
        assertContains(argv("{'domain':{'devices':{'disks':[{'name':'d','bootOrder':2},{'name':'e'}]}}," + VOL + "}"),
                "-boot strict=on");
        assertFalse(argv("{'domain':{'devices':{'disks':[{'name':'d'}]}}," + VOL + "}").contains("-boot"));
        ConversionException e = assertThrows(ConversionException.class,
                () -> argv("{'domain':{'devices':{'disks':[{'name':'d','bootOrder':1},{'name':'e','bootOrder':1}]}}," + VOL + "}"));
        assertTrue(e.getMessage().contains("disks[1].bootOrder: boot order 1 is already used by spec.domain.devices.disks[0].bootOrder"),
                e.getMessage());
    }

    @Test
    void noIoThreadsWithoutPolicyOrDedicatedDisk() throws Exception {
        assertFalse(argv("{'domain':{'devices':{'disks':[{'name':'d'}]}}," + VOL + "}").contains("iothread"));
    }

    private static final String NET = "'networks':[{'name':'default','pod':{}}]";

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
        {'name':'default','masquerade':{}}                                    | -netdev tap,id=net0,ifname=tap0,script=no,downscript=no -device virtio-net-pci,netdev=net0,id=ua-default,mac=52:54:00:
        {'name':'default','model':'e1000','macAddress':'DE:AD:00:00:BE:EF'}   | -device e1000,netdev=net0,id=ua-default,mac=de:ad:00:00:be:ef,romfile=
        {'name':'default','model':'e1000e','bridge':{}}                       | -device e1000e,netdev=net0
        {'name':'default','model':'rtl8139','bootOrder':3}                    | -device rtl8139,netdev=net0,id=ua-default,mac=52:54:00:d2:dd:a2,bootindex=3
        """)
    void interfaces(String nic, String expected) throws Exception {
        assertContains(argv("{'domain':{'devices':{'interfaces':[" + nic + "]}}," + NET + "}"), expected);
    }

    @Test
    void netdevBackendsFromTheHandover() throws Exception {
        VirtualMachineInstance vmi = vmi("{'domain':{'devices':{'interfaces':[{'name':'default'},{'name':'second'}]}},"
                + "'networks':[{'name':'default','pod':{}},{'name':'second','multus':{'networkName':'x'}}]}");
        NodeHandover h = Handovers.forVmi(vmi);
        h = new NodeHandover(h.runDirectory(), h.accel(), 32, h.volumes(),
                Map.of("default", new Netdev.UserMode(true), "second", new Netdev.TapName("tap-vm1")), null, h.firmware());
        String argv = String.join(" ", new VmiConverter().convert(vmi, h).commandLine().args());
        assertContains(argv, "-netdev user,id=net0,restrict=on");
        assertContains(argv, "-netdev tap,id=net1,ifname=tap-vm1,script=no,downscript=no");
    }

    static Stream<Arguments> netdevs() {
        return Stream.of(
                Arguments.of(new Netdev.TapFd(5), "-netdev tap,id=net0,fd=5 -device"),
                Arguments.of(new Netdev.Stream("/run/jvirt/x/passt.sock"),
                        "-netdev stream,id=net0,server=off,addr.type=unix,addr.path=/run/jvirt/x/passt.sock -device"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("netdevs")
    void handedOverBackendBecomesTheNetdev(Netdev netdev, String expected) throws Exception {
        VirtualMachineInstance vmi = vmi("{'domain':{'devices':{'interfaces':[{'name':'default'}]}}," + NET + "}");
        NodeHandover h = Handovers.forVmi(vmi);
        h = new NodeHandover(h.runDirectory(), h.accel(), 32, h.volumes(), Map.of("default", netdev), null, h.firmware());
        assertContains(String.join(" ", new VmiConverter().convert(vmi, h).commandLine().args()), expected);
    }

    @Test
    void defaultMacIsStablePerVmiAndInterface() throws Exception {
        String a = argv("{'domain':{'devices':{'interfaces':[{'name':'default'}]}}," + NET + "}");
        String b = argv("{'domain':{'devices':{'interfaces':[{'name':'default'}]}}," + NET + "}");
        assertEquals(a, b);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
        'rng':{}                                                       | -object rng-random,id=rng0,filename=/dev/urandom -device virtio-rng-pci,rng=rng0,id=ua-rng
        'watchdog':{'name':'w','i6300esb':{}}                          | -device i6300esb,id=ua-watchdog -action watchdog=reset
        'watchdog':{'name':'w','i6300esb':{'action':'poweroff'}}       | -action watchdog=poweroff
        'watchdog':{'name':'w','i6300esb':{'action':'shutdown'}}       | -action watchdog=shutdown
        'inputs':[{'name':'t','type':'tablet'}]                        | -device qemu-xhci,id=usb0
        'inputs':[{'name':'t','type':'tablet','bus':'usb'}]            | -device usb-tablet,id=ua-t,bus=usb0.0
        'inputs':[{'name':'t','type':'tablet','bus':'virtio'}]         | -device virtio-tablet-pci,id=ua-t
        'inputs':[{'name':'k','type':'keyboard','bus':'virtio'}]       | -device virtio-keyboard-pci,id=ua-k
        """)
    void simpleDevices(String devices, String expected) throws Exception {
        assertContains(argv("{'domain':{'devices':{" + devices + "}}}"), expected);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
        {}                                                  | -device VGA,id=video0 -vnc unix:/run/jvirt/vmi/ns1_vm1/vnc.sock
        {}                                                  | -chardev socket,id=serial0,path=/run/jvirt/vmi/ns1_vm1/serial.sock,server=on,wait=off,logfile=/run/jvirt/vmi/ns1_vm1/serial.log,logappend=off -serial chardev:serial0
        {}                                                  | -nodefaults -no-user-config -sandbox on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny -display none
        {}                                                  | -chardev socket,id=qmp,path=/run/jvirt/vmi/ns1_vm1/qmp.sock,server=on,wait=off -mon qmp,mode=control -S -no-shutdown
        {}                                                  | -name ns1_vm1,debug-threads=on
        {}                                                  | -device pvpanic,id=ua-pvpanic
        {'domain':{'machine':{'type':'pc'}}}                | -device pvpanic,id=ua-pvpanic
        """)
    void consoleGraphicsHardeningQmpPanicIdentity(String spec, String expected) throws Exception {
        assertContains(argv(spec), expected);
    }

    @Test
    void graphicsAndConsoleCanBeTurnedOff() throws Exception {
        String argv = argv("{'domain':{'devices':{'autoattachGraphicsDevice':false,'autoattachSerialConsole':false}}}");
        assertFalse(argv.contains("VGA") || argv.contains("-vnc") || argv.contains("serial0"), argv);
        assertContains(argv, "-display none");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        {'domain':{'machine':{'type':'virt'}}}                                          | spec.domain.machine.type
        {'domain':{'cpu':{'cores':0}}}                                                  | spec.domain.cpu.cores
        {'domain':{'cpu':{'model':'a,b'}}}                                              | spec.domain.cpu.model
        {'domain':{'memory':{}}}                                                        | spec.domain.memory.guest
        {'domain':{'machine':{'type':'pc'},'firmware':{'bootloader':{'efi':{}}}}}       | secureBoot: needs machine type q35
        {'domain':{'firmware':{'uuid':'nope'}}}                                         | spec.domain.firmware.uuid
        {'domain':{'firmware':{'kernelBoot':{'container':{'image':'k','kernelPath':'/boot/../etc/shadow'}}}}} | must not contain '..'
        {'domain':{'firmware':{'kernelBoot':{'container':{'image':'k','kernelPath':'boot/vmlinuz'}}}}}       | must be absolute
        {'domain':{'clock':{'timezone':'Mars/Olympus'}}}                                | spec.domain.clock.timezone
        {'domain':{'clock':{'utc':{'offsetSeconds':60}}}}                               | offsetSeconds
        {'domain':{'ioThreadsPolicy':'supplementalPool'}}                               | spec.domain.ioThreadsPolicy
        {'domain':{'devices':{'disks':[{'name':'d','disk':{'bus':'ide'}}]}},'volumes':[{'name':'d','hostDisk':{'path':'/d','type':'Disk'}}]}   | spec.domain.devices.disks[0].disk.bus
        {'domain':{'devices':{'disks':[{'name':'d','cdrom':{'bus':'virtio'}}]}},'volumes':[{'name':'d','hostDisk':{'path':'/d','type':'Disk'}}]} | spec.domain.devices.disks[0].cdrom.bus
        {'domain':{'devices':{'disks':[{'name':'d','disk':{},'cdrom':{}}]}},'volumes':[{'name':'d','hostDisk':{'path':'/d','type':'Disk'}}]}    | only one of disk, cdrom and lun
        {'domain':{'devices':{'disks':[{'name':'d','cache':'unsafe'}]}},'volumes':[{'name':'d','hostDisk':{'path':'/d','type':'Disk'}}]}       | disks[0].cache
        {'domain':{'devices':{'disks':[{'name':'d','io':'native'}]}},'volumes':[{'name':'d','hostDisk':{'path':'/d','type':'Disk'}}]}          | native needs cache: none
        {'domain':{'devices':{'disks':[{'name':'d','serial':'a b'}]}},'volumes':[{'name':'d','hostDisk':{'path':'/d','type':'Disk'}}]}         | disks[0].serial
        {'domain':{'devices':{'disks':[{'name':'x'}]}}}                                  | no volume named 'x'
        {'domain':{'devices':{'disks':[{'name':'d','disk':{'bus':'sata','readonly':true}}]}},'volumes':[{'name':'d','hostDisk':{'path':'/d','type':'Disk'}}]} | disks[0]: a read-only sata disk cannot be emulated
        {'domain':{'devices':{'disks':[{'name':'d'}]}},'volumes':[{'name':'d','sysprep':{'secret':{'name':'c'}}}]}                   | unsupported: [sysprep]
        {'domain':{'devices':{'interfaces':[{'name':'default','model':'vmxnet3'}]}},'networks':[{'name':'default','pod':{}}]}       | interfaces[0].model
        {'domain':{'devices':{'interfaces':[{'name':'default','sriov':{}}]}},'networks':[{'name':'default','pod':{}}]}              | binding 'sriov' is not supported
        {'domain':{'devices':{'interfaces':[{'name':'default','passt':{}}]}},'networks':[{'name':'default','pod':{}}]}              | binding 'passt' is not supported (use bridge, masquerade or passtBinding)
        {'domain':{'devices':{'interfaces':[{'name':'n','passtBinding':{}}]}},'networks':[{'name':'n','multus':{'networkName':'x'}}]} | passtBinding is only allowed on the pod network
        {'domain':{'devices':{'interfaces':[{'name':'default','macAddress':'01:00:00:00:00:01'}]}},'networks':[{'name':'default','pod':{}}]} | multicast
        {'domain':{'devices':{'interfaces':[{'name':'default','macAddress':'zz'}]}},'networks':[{'name':'default','pod':{}}]}        | interfaces[0].macAddress
        {'domain':{'devices':{'interfaces':[{'name':'nope'}]}}}                         | no network named 'nope'
        {'domain':{'devices':{'watchdog':{'name':'w','i6300esb':{'action':'dump'}}}}}    | watchdog.i6300esb.action
        {'domain':{'devices':{'watchdog':{'name':'w','diag288':{}}}}}                    | only i6300esb
        {'domain':{'devices':{'inputs':[{'name':'m','type':'mouse'}]}}}                  | inputs[0].type
        {'domain':{'devices':{'inputs':[{'name':'t','type':'tablet','bus':'ps2'}]}}}     | inputs[0].bus
        {'domain':{'devices':{'tpm':{}}}}                                                | spec.domain.devices.tpm
        {'domain':{'devices':{'gpus':[{'name':'g','deviceName':'x'}]}}}                  | spec.domain.devices.gpus
        """)
    void refusesWithTheFieldNamed(String spec, String expectedInMessage) {
        ConversionException e = assertThrows(ConversionException.class, () -> argv(spec));
        assertTrue(e.getMessage().contains(expectedInMessage), e.getMessage());
    }

    @Test
    void missingHandoverIsAClearError() throws Exception {
        VirtualMachineInstance vmi = vmi("{'domain':{'devices':{'disks':[{'name':'d'}]}},'volumes':[{'name':'d','containerDisk':{'image':'i'}}]}");
        NodeHandover h = Handovers.forVmi(vmi);
        NodeHandover empty = new NodeHandover(h.runDirectory(), h.accel(), 32, Map.of(), Map.of(), null, h.firmware());
        ConversionException e = assertThrows(ConversionException.class, () -> new VmiConverter().convert(vmi, empty));
        assertTrue(e.getMessage().contains("no prepared file for this containerDisk volume"), e.getMessage());
    }

    static void assertContains(String argv, String expected) {
        assertTrue(argv.contains(expected), () -> "expected '" + expected + "' in:\n" + argv);
    }
}
