package io.jvirt.controller.datavolume.image;

import io.jvirt.qemu.img.ImageFormat;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * What the first bytes of a stream are, by their magic numbers only (never by asking qemu-img to probe, which
 * would let content choose its own format). Pure.
 */
public final class Content {
    /** Bytes looked at: a tar header is 512, the VDI signature sits at 0x40. */
    public static final int HEAD = 512;

    /** A compression wrapped around the image. */
    public enum Compression { NONE, GZIP, XZ, ZSTD, BZIP2 }

    private Content() {}

    public static Compression compression(byte[] head) {
        if (starts(head, 0x1f, 0x8b)) return Compression.GZIP;
        if (starts(head, 0xfd, '7', 'z', 'X', 'Z', 0x00)) return Compression.XZ;
        if (starts(head, 0x28, 0xb5, 0x2f, 0xfd)) return Compression.ZSTD;
        if (starts(head, 'B', 'Z', 'h')) return Compression.BZIP2;
        return Compression.NONE;
    }

    /** A POSIX/GNU tar header ({@code ustar} at offset 257). */
    public static boolean isTar(byte[] head) {
        return head.length >= 263 && new String(head, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
    }

    /** The image format the magic names; raw when none does. */
    public static ImageFormat format(byte[] head) {
        if (starts(head, 'Q', 'F', 'I', 0xfb)) return ImageFormat.QCOW2;
        if (starts(head, 'K', 'D', 'M', 'V') || startsText(head, "# Disk DescriptorFile")) return ImageFormat.VMDK;
        if (startsText(head, "vhdxfile")) return ImageFormat.VHDX;
        if (startsText(head, "conectix")) return ImageFormat.VPC;
        if (head.length >= 0x44 && (head[0x40] & 0xff) == 0x7f && (head[0x41] & 0xff) == 0x10
                && (head[0x42] & 0xff) == 0xda && (head[0x43] & 0xff) == 0xbe) return ImageFormat.VDI;
        return ImageFormat.RAW;
    }

    /** LUKS-encrypted content, which jvirt cannot unlock. */
    public static boolean isLuks(byte[] head) {
        return starts(head, 'L', 'U', 'K', 'S', 0xba, 0xbe);
    }

    /**
     * The format a name (a URL's last path segment) claims through its extension, after compression and tar
     * extensions: {@code .qcow2}, {@code .vmdk}, {@code .vdi}, {@code .vhd}, {@code .vhdx}, {@code .raw}/{@code .iso}
     * (raw). Empty when the name says nothing ({@code .img} is used for any format).
     */
    public static Optional<ImageFormat> declared(String name) {
        if (name == null) return Optional.empty();
        String n = name.toLowerCase(Locale.ROOT);
        for (String wrapper : new String[] {".gz", ".xz", ".zst", ".bz2", ".tar", ".tgz"}) {
            if (n.endsWith(wrapper)) n = n.substring(0, n.length() - wrapper.length());
        }
        int dot = n.lastIndexOf('.');
        if (dot < 0) return Optional.empty();
        return switch (n.substring(dot + 1)) {
            case "qcow2" -> Optional.of(ImageFormat.QCOW2);
            case "vmdk" -> Optional.of(ImageFormat.VMDK);
            case "vdi" -> Optional.of(ImageFormat.VDI);
            case "vhd" -> Optional.of(ImageFormat.VPC);
            case "vhdx" -> Optional.of(ImageFormat.VHDX);
            case "raw", "iso" -> Optional.of(ImageFormat.RAW);
            default -> Optional.empty();
        };
    }

    private static boolean starts(byte[] head, int... magic) {
        if (head.length < magic.length) return false;
        for (int i = 0; i < magic.length; i++) {
            if ((head[i] & 0xff) != magic[i]) return false;
        }
        return true;
    }

    private static boolean startsText(byte[] head, String text) {
        byte[] t = text.getBytes(StandardCharsets.US_ASCII);
        return head.length >= t.length && Arrays.equals(head, 0, t.length, t, 0, t.length);
    }
}
