package io.jvirt.converter;

import java.nio.file.Path;

/**
 * Checks on paths that come from the VMI spec or the handover, before any reaches QEMU: absolute,
 * already normalized (so no {@code .} or {@code ..} segment), no NUL or control characters. Symbolic
 * links are checked on the real file system by {@link HandoverValidator}.
 */
public final class SpecPaths {
    private SpecPaths() {}

    /**
     * Returns {@code value} as a path if it is absolute, has no {@code .}/{@code ..} segment, no empty
     * segment, and no control character.
     *
     * @throws ConversionException naming {@code field} otherwise
     */
    public static Path requireSafeAbsolute(String field, String value) {
        if (value == null || value.isEmpty()) {
            throw new ConversionException(field + ": path is required");
        }
        if (!value.startsWith("/")) {
            throw new ConversionException(field + ": path must be absolute: '" + value + "'");
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                throw new ConversionException(field + ": path contains a control character");
            }
        }
        for (String segment : value.substring(1).split("/", -1)) {
            if (segment.equals("..") || segment.equals(".")) {
                throw new ConversionException(field + ": path must not contain '" + segment + "' segments: '" + value + "'");
            }
            if (segment.isEmpty() && !value.equals("/")) {
                throw new ConversionException(field + ": path must not contain empty segments: '" + value + "'");
            }
        }
        return Path.of(value);
    }

    /** {@link #requireSafeAbsolute(String, String)} for a path the node handed over. */
    public static Path requireSafeAbsolute(String field, Path value) {
        return requireSafeAbsolute(field, value == null ? null : value.toString());
    }
}
