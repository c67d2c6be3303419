package io.jvirt.converter.cloudinit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The ISOs are read back with genisoimage's {@code isoinfo}, through Joliet and through the plain ISO 9660 tree. */
class CloudInitIsosTest {
    private static final String USER_DATA = "#!/bin/sh\necho 'printed from cloud-init userdata'\n";
    private static final String NETWORK = "version: 2\nethernets:\n  eth0:\n    dhcp4: true\n";

    @TempDir
    Path tmp;

    @Test
    void noCloudHasLabelAndFilesReadableByName() throws Exception {
        Path iso = write("seed.iso", CloudInitIsos.noCloud("6a1d2f3e-uid", "myhost",
                new CloudInitData(USER_DATA.getBytes(StandardCharsets.UTF_8), NETWORK.getBytes(StandardCharsets.UTF_8))));

        assertTrue(isoinfo("-d", "-i", iso.toString()).contains("Volume id: cidata"));
        String listing = isoinfo("-J", "-f", "-i", iso.toString());
        assertEquals(List.of("/meta-data", "/network-config", "/user-data"), sortedLines(listing));
        assertEquals(USER_DATA, isoinfo("-J", "-x", "/user-data", "-i", iso.toString()));
        assertEquals("instance-id: 6a1d2f3e-uid\nlocal-hostname: myhost\n", isoinfo("-J", "-x", "/meta-data", "-i", iso.toString()));
        assertEquals(NETWORK, isoinfo("-J", "-x", "/network-config", "-i", iso.toString()));
        // Without Joliet: the ISO 9660 names, which Linux lower-cases and strips of ';1'
        assertEquals(List.of("/META-DATA;1", "/NETWORK-CONFIG;1", "/USER-DATA;1"), sortedLines(isoinfo("-f", "-i", iso.toString())));
        assertEquals(USER_DATA, isoinfo("-x", "/USER-DATA;1", "-i", iso.toString()));
    }

    @Test
    void configDriveHasNestedDirectories() throws Exception {
        Path iso = write("cd.iso", CloudInitIsos.configDrive("uid-1", "host1", "vm1",
                new CloudInitData(USER_DATA.getBytes(StandardCharsets.UTF_8), null)));

        assertTrue(isoinfo("-d", "-i", iso.toString()).contains("Volume id: config-2"));
        assertEquals(List.of("/openstack", "/openstack/latest", "/openstack/latest/meta_data.json", "/openstack/latest/user_data"),
                sortedLines(isoinfo("-J", "-f", "-i", iso.toString())));
        assertEquals("{\"uuid\":\"uid-1\",\"hostname\":\"host1\",\"name\":\"vm1\"}",
                isoinfo("-J", "-x", "/openstack/latest/meta_data.json", "-i", iso.toString()));
        assertEquals(USER_DATA, isoinfo("-J", "-x", "/openstack/latest/user_data", "-i", iso.toString()));
    }

    @ParameterizedTest(name = "{0} bytes")
    @CsvSource({"0", "1", "2047", "2048", "2049", "100000"})
    void fileSizesAroundSectorBoundariesReadBack(int size) throws Exception {
        byte[] content = new byte[size];
        for (int i = 0; i < size; i++) {
            content[i] = (byte) ('a' + i % 26);
        }
        Path iso = write("s.iso", new Iso9660Writer("cidata", CloudInitIsos.EPOCH)
                .add("a", "x").add("big-file.bin", content).add("z", "y").toBytes());
        String readBack = isoinfo("-J", "-x", "/big-file.bin", "-i", iso.toString());
        assertTrue(new String(content, StandardCharsets.ISO_8859_1).equals(readBack),
                () -> "content differs; read " + readBack.length() + " bytes, wrote " + size);
        assertEquals("y", isoinfo("-J", "-x", "/z", "-i", iso.toString()));
    }

    @Test
    void imageIsPaddedLikeMkisofsSoShortReadProbesFindTheLabel() {
        byte[] iso = CloudInitIsos.noCloud("i", "h", new CloudInitData(new byte[0], null));
        assertTrue(iso.length >= 0x11000 + 2048, "busybox volume_id reads 0x11000 bytes before probing iso9660; got " + iso.length);
    }

    @Test
    void sameInputGivesSameBytes() {
        CloudInitData data = new CloudInitData("x".getBytes(StandardCharsets.UTF_8), null);
        assertEquals(java.util.Arrays.toString(CloudInitIsos.noCloud("i", "h", data)),
                java.util.Arrays.toString(CloudInitIsos.noCloud("i", "h", data)));
    }

    /** KubeVirt's config disk: the label named (else cfgdata), one file per key with the key's exact name, binary content kept. */
    @ParameterizedTest(name = "label {0}")
    @CsvSource(nullValues = "-", value = {"-, cfgdata", "'', cfgdata", "app-config, app-config", "OEMDRV, OEMDRV"})
    void configDiskHasItsLabelAndOneFilePerKey(String label, String expectedLabel) throws Exception {
        byte[] binary = {0, (byte) 0xff, 10, 13, 0};
        java.util.Map<String, byte[]> files = new java.util.LinkedHashMap<>();
        files.put("ca.crt", "-----BEGIN CERTIFICATE-----\n".getBytes(StandardCharsets.UTF_8));
        files.put("Mixed_Case.Key-1", binary);
        files.put("labels", "app=\"demo\"\n".getBytes(StandardCharsets.UTF_8));
        Path iso = write("cfg.iso", CloudInitIsos.configDisk(label, files));

        assertTrue(isoinfo("-d", "-i", iso.toString()).contains("Volume id: " + expectedLabel));
        assertEquals(List.of("/Mixed_Case.Key-1", "/ca.crt", "/labels"), sortedLines(isoinfo("-J", "-f", "-i", iso.toString())));
        assertEquals("-----BEGIN CERTIFICATE-----\n", isoinfo("-J", "-x", "/ca.crt", "-i", iso.toString()));
        assertEquals(new String(binary, StandardCharsets.ISO_8859_1), isoinfo("-J", "-x", "/Mixed_Case.Key-1", "-i", iso.toString()));
    }

    @ParameterizedTest(name = "{0} / {1}")
    @CsvSource({"cfgdata, ../etc, '..'", "cfgdata, a key with spaces, a key with spaces", "a-label-longer-than-16, k, volume id",
            "cfgdata, " + "k123456789k123456789k123456789k123456789k123456789k123456789k1234, k1234"})
    void configDiskRefusesWhatItCannotHold(String label, String key, String expectedInMessage) {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> CloudInitIsos.configDisk(label, java.util.Map.of(key, new byte[1])));
        assertTrue(e.getMessage().contains(expectedInMessage), e.getMessage());
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path p = tmp.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private static List<String> sortedLines(String text) {
        List<String> lines = new ArrayList<>(text.lines().filter(l -> !l.isBlank()).toList());
        lines.sort(null);
        return lines;
    }

    private static String isoinfo(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add("isoinfo");
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "isoinfo timed out");
        assertEquals(0, p.exitValue(), () -> "isoinfo " + command + " failed");
        return new String(out, StandardCharsets.ISO_8859_1);
    }
}
