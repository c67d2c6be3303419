package io.jvirt.converter.cloudinit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * The two cloud-init disk layouts, as ISO images:
 * <ul>
 *   <li>NoCloud: label {@code cidata}, files {@code user-data}, {@code meta-data} (instance-id,
 *       local-hostname) and, when given, {@code network-config};</li>
 *   <li>config drive: label {@code config-2}, files {@code openstack/latest/user_data},
 *       {@code openstack/latest/meta_data.json} (uuid, hostname, name) and, when given,
 *       {@code openstack/latest/network_data.json};</li>
 *   <li>a config disk (KubeVirt's configMap, secret, serviceAccount and downwardAPI volumes): label
 *       {@code volumeLabel}, default {@code cfgdata}, one file per key (or downward API path).</li>
 * </ul>
 * Stateless and thread-safe; output is deterministic for the same input.
 */
public final class CloudInitIsos {
    /** Fixed timestamp for the ISO metadata so images are reproducible. */
    static final Instant EPOCH = Instant.parse("2020-01-01T00:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    private CloudInitIsos() {}

    /** A NoCloud seed image. */
    public static byte[] noCloud(String instanceId, String hostname, CloudInitData data) {
        requireLine("instance-id", instanceId);
        requireLine("hostname", hostname);
        Iso9660Writer iso = new Iso9660Writer("cidata", EPOCH)
                .add("user-data", data.userData())
                .add("meta-data", "instance-id: " + instanceId + "\nlocal-hostname: " + hostname + "\n");
        if (data.networkData() != null) {
            iso.add("network-config", data.networkData());
        }
        return iso.toBytes();
    }

    /** An OpenStack config-drive image. */
    public static byte[] configDrive(String instanceId, String hostname, String name, CloudInitData data) {
        ObjectNode meta = JSON.createObjectNode().put("uuid", instanceId).put("hostname", hostname).put("name", name);
        Iso9660Writer iso = new Iso9660Writer("config-2", EPOCH)
                .add("openstack/latest/user_data", data.userData())
                .add("openstack/latest/meta_data.json", meta.toString());
        if (data.networkData() != null) {
            iso.add("openstack/latest/network_data.json", data.networkData());
        }
        return iso.toBytes();
    }

    /** KubeVirt's label of a config disk that names none. */
    public static final String CONFIG_DISK_LABEL = "cfgdata";

    /**
     * A config disk: {@code files} (relative path → content), labelled {@code label} (null or empty:
     * {@value #CONFIG_DISK_LABEL}).
     *
     * @throws IllegalArgumentException naming the label or path the image cannot hold (path components of 1-64 of
     *     {@code [A-Za-z0-9._-]}, labels of 1-16 of {@code [A-Za-z0-9_-]})
     */
    public static byte[] configDisk(String label, java.util.Map<String, byte[]> files) {
        Iso9660Writer iso = new Iso9660Writer(label == null || label.isEmpty() ? CONFIG_DISK_LABEL : label, EPOCH);
        files.forEach(iso::add);
        return iso.toBytes();
    }

    private static void requireLine(String what, String value) {
        if (value == null || value.isEmpty() || !value.matches("[A-Za-z0-9._:-]+")) {
            throw new IllegalArgumentException(what + ": must be non-empty and of [A-Za-z0-9._:-]: '" + value + "'");
        }
    }
}
