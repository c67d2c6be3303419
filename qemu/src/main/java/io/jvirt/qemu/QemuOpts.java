package io.jvirt.qemu;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The value of one QEMU option in QEMU's {@code key=value,key=value} syntax (QemuOpts / keyval),
 * for example the argument after {@code -device} or {@code -chardev}.
 *
 * <p>Escaping follows QEMU's rule: a comma inside a value is written twice ({@code ,,}). The
 * optional head is the option's implied value (e.g. the driver of {@code -device}); it is written
 * bare unless QEMU would misread it (it contains {@code =}, or is a help request such as
 * {@code help} or {@code ?}), in which case it is written as {@code impliedKey=value}.
 *
 * <p>Immutable and thread-safe: every {@code with…} returns a new instance. Keys are checked
 * against QEMU's property-name alphabet; an illegal key throws {@link IllegalArgumentException}.
 */
public final class QemuOpts {
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.\\-]*");

    private record Entry(String key, String value) {}

    private final String impliedKey;
    private final String head;
    private final List<Entry> entries;

    private QemuOpts(String impliedKey, String head, List<Entry> entries) {
        this.impliedKey = impliedKey;
        this.head = head;
        this.entries = List.copyOf(entries);
    }

    /** Options without an implied head, e.g. {@code -drive file=…,format=raw}. */
    public static QemuOpts empty() {
        return new QemuOpts(null, null, List.of());
    }

    /**
     * Options that start with the implied value {@code head} of the property {@code impliedKey}
     * (e.g. {@code headed("driver", "virtio-blk-pci")} for {@code -device}).
     */
    public static QemuOpts headed(String impliedKey, String head) {
        requireKey(impliedKey);
        return new QemuOpts(impliedKey, Objects.requireNonNull(head, "head"), List.of());
    }

    /** A copy with {@code key=value} appended (order is kept; QEMU takes the last duplicate). */
    public QemuOpts with(String key, String value) {
        requireKey(key);
        Objects.requireNonNull(value, () -> "value of " + key);
        List<Entry> next = new ArrayList<>(entries);
        next.add(new Entry(key, value));
        return new QemuOpts(impliedKey, head, next);
    }

    /** A copy with {@code key=value} appended, the number written in decimal. */
    public QemuOpts with(String key, long value) {
        return with(key, Long.toString(value));
    }

    /** A copy with {@code key=on} or {@code key=off} appended. */
    public QemuOpts with(String key, boolean value) {
        return with(key, value ? "on" : "off");
    }

    /** A copy with every entry of {@code more} appended (its head is ignored). */
    public QemuOpts withAll(QemuOpts more) {
        List<Entry> next = new ArrayList<>(entries);
        next.addAll(more.entries);
        return new QemuOpts(impliedKey, head, next);
    }

    /** True when there is neither a head nor any entry. */
    public boolean isEmpty() {
        return head == null && entries.isEmpty();
    }

    /** The single argv word QEMU parses back into exactly these keys and values. */
    public String render() {
        List<String> parts = new ArrayList<>(entries.size() + 1);
        if (head != null) {
            parts.add(headNeedsKey(head) ? impliedKey + "=" + escape(head) : escape(head));
        }
        for (Entry e : entries) {
            parts.add(e.key() + "=" + escape(e.value()));
        }
        return String.join(",", parts);
    }

    @Override
    public String toString() {
        return render();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QemuOpts other && render().equals(other.render());
    }

    @Override
    public int hashCode() {
        return render().hashCode();
    }

    /** QEMU's value escaping: each comma doubled. */
    public static String escape(String value) {
        return value.replace(",", ",,");
    }

    private static boolean headNeedsKey(String value) {
        return value.isEmpty() || value.contains("=") || value.equals("help") || value.equals("?");
    }

    private static void requireKey(String key) {
        Objects.requireNonNull(key, "key");
        if (!KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("not a QEMU property name: '" + key + "'");
        }
    }
}
