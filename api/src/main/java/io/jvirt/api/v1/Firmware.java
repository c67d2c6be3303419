package io.jvirt.api.v1;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.UUID;

/**
 * Firmware settings ({@code v1.Firmware}).
 *
 * <p>Absent fields are {@code null} and are not written back. Collections are held as given (not copied).
 *
 * @param serial SMBIOS system serial number
 * @param uuid SMBIOS system UUID
 * @param unknown fields this type does not model, kept so a read-modify-write keeps them
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Firmware(
        Bootloader bootloader,
        KernelBoot kernelBoot,
        String serial,
        String uuid,
        @JsonAnySetter @JsonAnyGetter Map<String, Object> unknown) {
    /** The namespace of KubeVirt's name-derived firmware UUIDs. */
    private static final UUID STABLE_UUID_NAMESPACE = UUID.fromString("6a1a24a1-4061-4607-8bf4-a3963d0c5895");

    /**
     * The firmware UUID KubeVirt derives from a VM's name for a VM whose template names none: a version 5 (SHA-1) UUID of
     * the name in KubeVirt's namespace, so every VMI of the VM, across restarts, has the same one. Pure; thread-safe.
     */
    public static String stableUuid(String vmName) {
        MessageDigest sha1;
        try {
            sha1 = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required of every JVM", e);
        }
        sha1.update(ByteBuffer.allocate(16).putLong(STABLE_UUID_NAMESPACE.getMostSignificantBits())
                .putLong(STABLE_UUID_NAMESPACE.getLeastSignificantBits()).array());
        ByteBuffer hash = ByteBuffer.wrap(sha1.digest(vmName.getBytes(StandardCharsets.UTF_8)));
        long high = (hash.getLong() & ~0xF000L) | 0x5000L; // version 5
        long low = (hash.getLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L; // RFC 4122 variant
        return new UUID(high, low).toString();
    }

    /** This firmware with {@code uuid} replaced. */
    public Firmware withUuid(String newUuid) {
        return new Firmware(bootloader, kernelBoot, serial, newUuid, unknown);
    }
}
