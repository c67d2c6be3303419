package io.jvirt.converter.cloudinit;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Writes a small ISO 9660 image with a Joliet tree, enough for cloud-init's NoCloud and
 * config-drive data sources.
 *
 * <p>The primary tree uses upper-case names with {@code ;1} versions ({@code USER-DATA;1}), which
 * Linux shows lower-cased without version when Joliet is ignored; the Joliet tree carries the exact
 * names ({@code user-data}). Both volume descriptors carry the volume id (e.g. {@code cidata}), which
 * blkid reports as the label. Output is deterministic for the same files and timestamp.
 *
 * <p>Limits: file and directory names of 1–64 characters from {@code [A-Za-z0-9._-]}, at most a few
 * hundred entries (path tables must fit one sector), files under 4 GiB. Not thread-safe.
 */
public final class Iso9660Writer {
    private static final int SECTOR = 2048;
    private static final int TRAILING_PAD_SECTORS = 150;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern VOLUME_ID = Pattern.compile("[A-Za-z0-9_-]{1,16}");

    private final String volumeId;
    private final Instant timestamp;
    private final Map<String, byte[]> files = new TreeMap<>();

    /**
     * @param volumeId the label, 1–16 characters of {@code [A-Za-z0-9_-]}, e.g. {@code cidata} or {@code config-2}
     * @param timestamp recorded as creation and modification time of everything in the image
     */
    public Iso9660Writer(String volumeId, Instant timestamp) {
        if (!VOLUME_ID.matcher(volumeId).matches()) {
            throw new IllegalArgumentException("volume id must be 1-16 of [A-Za-z0-9_-]: '" + volumeId + "'");
        }
        this.volumeId = volumeId;
        this.timestamp = Objects.requireNonNull(timestamp, "timestamp");
    }

    /** Adds a file at {@code path} (slash-separated, relative, e.g. {@code openstack/latest/user_data}). */
    public Iso9660Writer add(String path, byte[] content) {
        for (String part : path.split("/", -1)) {
            if (!NAME.matcher(part).matches() || part.equals(".") || part.equals("..")) {
                throw new IllegalArgumentException("bad ISO path component '" + part + "' in '" + path + "'");
            }
        }
        if (files.containsKey(path)) {
            throw new IllegalArgumentException("duplicate file: " + path);
        }
        files.put(path, content.clone());
        return this;
    }

    /** Adds a UTF-8 text file. */
    public Iso9660Writer add(String path, String content) {
        return add(path, content.getBytes(StandardCharsets.UTF_8));
    }

    // ---- layout -------------------------------------------------------------------------------

    private static final class Dir {
        final String name;
        final Dir parent;
        final List<Dir> dirs = new ArrayList<>();
        final List<FileEntry> files = new ArrayList<>();
        int number;
        final int[] extent = new int[2];
        final int[] size = new int[2];

        Dir(String name, Dir parent) {
            this.name = name;
            this.parent = parent;
        }

        Dir child(String childName) {
            for (Dir d : dirs) {
                if (d.name.equals(childName)) {
                    return d;
                }
            }
            Dir d = new Dir(childName, this);
            dirs.add(d);
            return d;
        }
    }

    private record FileEntry(String name, byte[] content, int[] extent) {}

    /** The complete image. */
    public byte[] toBytes() {
        Dir root = new Dir("", null);
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            String[] parts = e.getKey().split("/");
            Dir dir = root;
            for (int i = 0; i < parts.length - 1; i++) {
                dir = dir.child(parts[i]);
            }
            dir.files.add(new FileEntry(parts[parts.length - 1], e.getValue(), new int[1]));
        }
        List<Dir> ordered = breadthFirst(root);
        for (int i = 0; i < ordered.size(); i++) {
            ordered.get(i).number = i + 1;
        }
        // sectors: 0-15 system area, 16 PVD, 17 Joliet SVD, 18 terminator, 19-22 path tables
        int next = 23;
        for (int tree = 0; tree < 2; tree++) {
            for (Dir d : ordered) {
                d.size[tree] = directorySize(d, tree);
                d.extent[tree] = next;
                next += d.size[tree] / SECTOR;
            }
        }
        for (Dir d : ordered) {
            for (FileEntry f : d.files) {
                f.extent[0] = next;
                next += Math.max(1, sectors(f.content.length));
            }
        }
        // 150 zero sectors at the end, as mkisofs does: probes such as busybox's volume_id read
        // 68 KiB from the start and give up on a shorter device
        int total = next + TRAILING_PAD_SECTORS;
        ByteBuffer image = ByteBuffer.allocate(total * SECTOR);
        byte[][] pathTables = {pathTable(ordered, 0, ByteOrder.LITTLE_ENDIAN), pathTable(ordered, 0, ByteOrder.BIG_ENDIAN),
            pathTable(ordered, 1, ByteOrder.LITTLE_ENDIAN), pathTable(ordered, 1, ByteOrder.BIG_ENDIAN)};
        for (byte[] table : pathTables) {
            if (table.length > SECTOR) {
                throw new IllegalStateException("too many directories for one path table sector");
            }
        }
        putAt(image, 16 * SECTOR, volumeDescriptor(1, root, total, pathTables[0].length, 19, 20));
        putAt(image, 17 * SECTOR, volumeDescriptor(2, root, total, pathTables[2].length, 21, 22));
        putAt(image, 18 * SECTOR, terminator());
        for (int i = 0; i < 4; i++) {
            putAt(image, (19 + i) * SECTOR, pathTables[i]);
        }
        for (int tree = 0; tree < 2; tree++) {
            for (Dir d : ordered) {
                putAt(image, d.extent[tree] * SECTOR, directory(d, tree));
            }
        }
        for (Dir d : ordered) {
            for (FileEntry f : d.files) {
                putAt(image, f.extent[0] * SECTOR, f.content);
            }
        }
        return image.array();
    }

    private static List<Dir> breadthFirst(Dir root) {
        List<Dir> out = new ArrayList<>();
        out.add(root);
        for (int i = 0; i < out.size(); i++) {
            Dir d = out.get(i);
            List<Dir> children = new ArrayList<>(d.dirs);
            children.sort(Comparator.comparing(c -> c.name.toUpperCase(Locale.ROOT)));
            out.addAll(children);
        }
        return out;
    }

    private static int sectors(long bytes) {
        return (int) ((bytes + SECTOR - 1) / SECTOR);
    }

    private static void putAt(ByteBuffer image, int offset, byte[] bytes) {
        image.put(offset, bytes);
    }

    // ---- names ------------------------------------------------------------------------------

    private static byte[] identifier(String name, boolean file, int tree) {
        String id = tree == 0 ? name.toUpperCase(Locale.ROOT) : name;
        if (file && tree == 0) {
            id = id + ";1";
        }
        return tree == 0 ? id.getBytes(StandardCharsets.US_ASCII) : id.getBytes(StandardCharsets.UTF_16BE);
    }

    private record Record(byte[] id, int extent, int size, boolean directory) {}

    private List<Record> records(Dir d, int tree) {
        List<Record> children = new ArrayList<>();
        for (Dir sub : d.dirs) {
            children.add(new Record(identifier(sub.name, false, tree), sub.extent[tree], sub.size[tree], true));
        }
        for (FileEntry f : d.files) {
            children.add(new Record(identifier(f.name, true, tree), f.extent[0], f.content.length, false));
        }
        children.sort((a, b) -> Arrays.compareUnsigned(a.id, b.id));
        List<Record> all = new ArrayList<>();
        all.add(new Record(new byte[] {0}, d.extent[tree], d.size[tree], true));
        Dir parent = d.parent == null ? d : d.parent;
        all.add(new Record(new byte[] {1}, parent.extent[tree], parent.size[tree], true));
        all.addAll(children);
        return all;
    }

    private int directorySize(Dir d, int tree) {
        // sizes of '.'/'..' records do not depend on extents; compute with placeholder values
        int used = 0;
        int sectors = 1;
        for (Record r : records(d, tree)) {
            int length = recordLength(r.id.length);
            if (used + length > SECTOR) {
                sectors++;
                used = 0;
            }
            used += length;
        }
        return sectors * SECTOR;
    }

    private static int recordLength(int idLength) {
        int length = 33 + idLength;
        return length % 2 == 0 ? length : length + 1;
    }

    private byte[] directory(Dir d, int tree) {
        ByteBuffer out = ByteBuffer.allocate(d.size[tree]);
        for (Record r : records(d, tree)) {
            byte[] rec = directoryRecord(r.id, r.extent, r.size, r.directory);
            if (out.position() % SECTOR + rec.length > SECTOR) {
                out.position((out.position() / SECTOR + 1) * SECTOR);
            }
            out.put(rec);
        }
        return out.array();
    }

    private byte[] directoryRecord(byte[] id, int extent, int size, boolean directory) {
        ByteBuffer r = ByteBuffer.allocate(recordLength(id.length));
        r.put((byte) r.capacity()).put((byte) 0);
        bothEndian32(r, extent);
        bothEndian32(r, size);
        r.put(recordingDate());
        r.put((byte) (directory ? 2 : 0)).put((byte) 0).put((byte) 0);
        bothEndian16(r, 1);
        r.put((byte) id.length).put(id);
        return r.array();
    }

    private byte[] recordingDate() {
        ZonedDateTime t = timestamp.atZone(ZoneOffset.UTC);
        return new byte[] {(byte) (t.getYear() - 1900), (byte) t.getMonthValue(), (byte) t.getDayOfMonth(),
            (byte) t.getHour(), (byte) t.getMinute(), (byte) t.getSecond(), 0};
    }

    private static byte[] pathTable(List<Dir> ordered, int tree, ByteOrder order) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Dir d : ordered) {
            byte[] id = d.parent == null ? new byte[] {0} : identifier(d.name, false, tree);
            ByteBuffer r = ByteBuffer.allocate(8 + id.length + (id.length % 2)).order(order);
            r.put((byte) id.length).put((byte) 0).putInt(d.extent[tree]).putShort((short) (d.parent == null ? 1 : d.parent.number));
            r.put(id);
            out.writeBytes(r.array());
        }
        return out.toByteArray();
    }

    // ---- volume descriptors -------------------------------------------------------------------

    private byte[] volumeDescriptor(int type, Dir root, int totalSectors, int pathTableSize, int lTable, int mTable) {
        boolean joliet = type == 2;
        int tree = joliet ? 1 : 0;
        ByteBuffer v = ByteBuffer.allocate(SECTOR);
        v.put((byte) type).put("CD001".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        v.put(text("", 32, joliet));
        v.put(text(volumeId, 32, joliet));
        v.position(80);
        bothEndian32(v, totalSectors);
        if (joliet) {
            v.put(88, new byte[] {'%', '/', 'E'});
        }
        v.position(120);
        bothEndian16(v, 1);
        bothEndian16(v, 1);
        bothEndian16(v, SECTOR);
        bothEndian32(v, pathTableSize);
        v.order(ByteOrder.LITTLE_ENDIAN).putInt(lTable).putInt(0);
        v.order(ByteOrder.BIG_ENDIAN).putInt(mTable).putInt(0);
        v.put(directoryRecord(new byte[] {0}, root.extent[tree], root.size[tree], true));
        v.put(text("", 128, joliet)).put(text("", 128, joliet)).put(text("", 128, joliet)).put(text("JVIRT", 128, joliet));
        v.put(text("", 37, joliet)).put(text("", 37, joliet)).put(text("", 37, joliet));
        byte[] date = longDate(timestamp);
        v.put(date).put(date).put(longDate(null)).put(date);
        v.put((byte) 1);
        return v.array();
    }

    private static byte[] terminator() {
        ByteBuffer v = ByteBuffer.allocate(SECTOR);
        v.put((byte) 255).put("CD001".getBytes(StandardCharsets.US_ASCII)).put((byte) 1);
        return v.array();
    }

    private static byte[] text(String value, int length, boolean ucs2) {
        byte[] out = new byte[length];
        if (ucs2) {
            for (int i = 0; i + 1 < length; i += 2) {
                out[i] = 0;
                out[i + 1] = ' ';
            }
            byte[] chars = value.getBytes(StandardCharsets.UTF_16BE);
            System.arraycopy(chars, 0, out, 0, Math.min(chars.length, length - length % 2));
            return out;
        }
        Arrays.fill(out, (byte) ' ');
        byte[] chars = value.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(chars, 0, out, 0, Math.min(chars.length, length));
        return out;
    }

    private static byte[] longDate(Instant when) {
        byte[] out = new byte[17];
        if (when == null) {
            Arrays.fill(out, 0, 16, (byte) '0');
            return out;
        }
        ZonedDateTime t = when.atZone(ZoneOffset.UTC);
        String digits = String.format(Locale.ROOT, "%04d%02d%02d%02d%02d%02d00", t.getYear(), t.getMonthValue(),
                t.getDayOfMonth(), t.getHour(), t.getMinute(), t.getSecond());
        System.arraycopy(digits.getBytes(StandardCharsets.US_ASCII), 0, out, 0, 16);
        return out;
    }

    private static void bothEndian32(ByteBuffer b, int value) {
        b.order(ByteOrder.LITTLE_ENDIAN).putInt(value).order(ByteOrder.BIG_ENDIAN).putInt(value);
    }

    private static void bothEndian16(ByteBuffer b, int value) {
        b.order(ByteOrder.LITTLE_ENDIAN).putShort((short) value).order(ByteOrder.BIG_ENDIAN).putShort((short) value);
    }
}
