package io.jvirt.converter;

import io.jvirt.api.v1.Interface;
import io.jvirt.api.v1.Network;
import io.jvirt.qemu.QemuCommandLine;
import io.jvirt.qemu.QemuOpts;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Each {@code spec.domain.devices.interfaces[]} entry as a {@code -netdev} from the node's handover
 * (an inherited tap fd, a named tap, passt's unix socket, or user-mode networking) and a NIC of the given model.
 * Bindings bridge, masquerade and passtBinding (pod network only) are wired on the node side; QEMU only needs the backend. Without
 * {@code macAddress} the MAC is derived from namespace, VMI name and interface name (stable across
 * restarts, locally administered QEMU prefix 52:54:00). Without {@code bootOrder} the NIC's option
 * ROM is left out.
 */
final class InterfaceConfigurator implements Configurator {
    private static final Map<String, String> MODELS = Map.of(
            "virtio", "virtio-net-pci", "e1000", "e1000", "e1000e", "e1000e",
            "rtl8139", "rtl8139", "ne2k_pci", "ne2k_pci", "pcnet", "pcnet");
    private static final Pattern MAC = Pattern.compile("([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}");

    @Override
    public void configure(ConversionContext context, QemuCommandLine.Builder qemu) {
        List<Interface> interfaces = context.interfaces();
        for (int i = 0; i < interfaces.size(); i++) {
            Interface nic = interfaces.get(i);
            String field = "spec.domain.devices.interfaces[" + i + "]";
            requireBinding(nic, field);
            requireNetwork(context, nic, field);
            requirePasstOnPodNetwork(context, nic, field);
            Netdev netdev = context.handover().networks().get(nic.name());
            if (netdev == null) {
                throw new ConversionException(field + ": the node handed over no network backend for interface '" + nic.name() + "'");
            }
            String netdevId = "net" + i;
            switch (netdev) {
                case Netdev.TapFd tap -> qemu.netdev("tap", netdevId, QemuOpts.empty().with("fd", tap.fd()));
                case Netdev.TapName tap -> qemu.netdev("tap", netdevId, QemuOpts.empty().with("ifname", tap.ifname())
                        .with("script", "no").with("downscript", "no"));
                case Netdev.Stream stream -> qemu.netdev("stream", netdevId, QemuOpts.empty().with("server", false)
                        .with("addr.type", "unix").with("addr.path", stream.path()));
                case Netdev.UserMode user -> qemu.netdev("user", netdevId, QemuOpts.empty().with("restrict", user.restrict()));
            }
            String model = nic.model() == null || nic.model().isEmpty() ? "virtio" : nic.model();
            String driver = MODELS.get(model);
            if (driver == null) {
                throw new ConversionException(field + ".model: unsupported '" + model + "' (supported: "
                        + String.join(", ", MODELS.keySet().stream().sorted().toList()) + ")");
            }
            QemuOpts device = QemuOpts.empty().with("netdev", netdevId).with("id", "ua-" + nic.name())
                    .with("mac", mac(context, nic, field));
            device = nic.bootOrder() == null ? device.with("romfile", "") : device.with("bootindex", nic.bootOrder());
            qemu.device(driver, device);
        }
    }

    private static void requireBinding(Interface nic, String field) {
        if (nic.unknown() == null) {
            return;
        }
        for (String binding : List.of("sriov", "slirp", "passt", "macvtap", "binding")) {
            if (nic.unknown().containsKey(binding)) {
                throw new ConversionException(field + ": binding '" + binding + "' is not supported (use bridge, masquerade or passtBinding)");
            }
        }
    }

    /** KubeVirt's rule: passt connects the pod network only. */
    private static void requirePasstOnPodNetwork(ConversionContext context, Interface nic, String field) {
        if (nic.unknown() == null || !nic.unknown().containsKey("passtBinding")) {
            return;
        }
        List<Network> networks = context.spec().networks() == null ? List.of() : context.spec().networks();
        if (networks.stream().noneMatch(n -> nic.name().equals(n.name()) && n.pod() != null)) {
            throw new ConversionException(field + ": passtBinding is only allowed on the pod network");
        }
    }

    private static void requireNetwork(ConversionContext context, Interface nic, String field) {
        List<Network> networks = context.spec().networks() == null ? List.of() : context.spec().networks();
        if (networks.stream().noneMatch(n -> nic.name().equals(n.name()))) {
            throw new ConversionException(field + ".name: no network named '" + nic.name() + "' in spec.networks");
        }
    }

    static String mac(ConversionContext context, Interface nic, String field) {
        if (nic.macAddress() != null && !nic.macAddress().isEmpty()) {
            if (!MAC.matcher(nic.macAddress()).matches()) {
                throw new ConversionException(field + ".macAddress: not a MAC address: '" + nic.macAddress() + "'");
            }
            int firstOctet = Integer.parseInt(nic.macAddress().substring(0, 2), 16);
            if ((firstOctet & 1) != 0) {
                throw new ConversionException(field + ".macAddress: multicast address not allowed: '" + nic.macAddress() + "'");
            }
            return nic.macAddress().replace('-', ':').toLowerCase(Locale.ROOT);
        }
        byte[] hash = sha256(context.namespace() + "/" + context.name() + "/" + nic.name());
        return "52:54:00:" + HexFormat.ofDelimiter(":").formatHex(hash, 0, 3);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
