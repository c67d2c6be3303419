package io.jvirt.converter.cloudinit;

import io.jvirt.api.v1.CloudInitConfigDriveSource;
import io.jvirt.api.v1.CloudInitNoCloudSource;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * The user data and optional network data of one cloud-init volume, resolved from the spec's
 * inline text, base64 text, or the Secret content the node passed in (keys {@code userdata} /
 * {@code userData} and {@code networkdata} / {@code networkData}, as KubeVirt reads them; the
 * user-data secret may also carry the network data).
 *
 * @param userData bytes for user-data / user_data (may be empty)
 * @param networkData bytes for network-config / network_data.json, or null when none is given
 */
public record CloudInitData(byte[] userData, byte[] networkData) {
    /** Resolves a NoCloud source; {@code secrets} maps secret name to its data (already decoded). */
    public static CloudInitData of(String field, CloudInitNoCloudSource src, Map<String, Map<String, byte[]>> secrets) {
        return resolve(field, src.userData(), src.userDataBase64(), src.secretRef() == null ? null : src.secretRef().name(),
                src.networkData(), src.networkDataBase64(),
                src.networkDataSecretRef() == null ? null : src.networkDataSecretRef().name(), secrets);
    }

    /** Resolves a config-drive source; see {@link #of(String, CloudInitNoCloudSource, Map)}. */
    public static CloudInitData of(String field, CloudInitConfigDriveSource src, Map<String, Map<String, byte[]>> secrets) {
        return resolve(field, src.userData(), src.userDataBase64(), src.secretRef() == null ? null : src.secretRef().name(),
                src.networkData(), src.networkDataBase64(),
                src.networkDataSecretRef() == null ? null : src.networkDataSecretRef().name(), secrets);
    }

    private static CloudInitData resolve(String field, String userData, String userDataBase64, String userSecret,
            String networkData, String networkDataBase64, String networkSecret, Map<String, Map<String, byte[]>> secrets) {
        byte[] user = pick(field, "userData", userData, userDataBase64, userSecret, "userdata", secrets);
        byte[] network = pick(field, "networkData", networkData, networkDataBase64, networkSecret, "networkdata", secrets);
        if (network == null && networkSecret == null && userSecret != null) {
            network = pick(field, "networkData", null, null, userSecret, "networkdata", secrets);
        }
        return new CloudInitData(user == null ? new byte[0] : user, network);
    }

    private static byte[] pick(String field, String what, String text, String base64, String secretName, String secretKey,
            Map<String, Map<String, byte[]>> secrets) {
        int given = (text != null ? 1 : 0) + (base64 != null ? 1 : 0) + (secretName != null ? 1 : 0);
        if (given > 1) {
            throw new IllegalArgumentException(field + ": only one of " + what + ", " + what + "Base64 and the secret ref may be set");
        }
        if (text != null) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        if (base64 != null) {
            try {
                return Base64.getDecoder().decode(base64.replaceAll("\\s", ""));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(field + "." + what + "Base64: not valid base64");
            }
        }
        if (secretName == null) {
            return null;
        }
        Map<String, byte[]> secret = secrets.get(secretName);
        if (secret == null) {
            throw new IllegalArgumentException(field + ": the node passed no content for secret '" + secretName + "'");
        }
        byte[] value = secret.containsKey(secretKey) ? secret.get(secretKey)
                : secret.get(secretKey.replace("data", "Data"));
        return value;
    }
}
