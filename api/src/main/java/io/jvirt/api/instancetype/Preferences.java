package io.jvirt.api.instancetype;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * Applies a preference spec ({@code v1beta1.VirtualMachinePreferenceSpec}) to a VMI spec: every preferred value
 * goes where the VMI spec leaves the field unset, never over a value the user gave. Pure; changes the trees in
 * place. Used by {@link Expansion}.
 */
final class Preferences {
    /** preference field under {@code devices} → VMI field under {@code domain.devices}, copied when unset. */
    private static final Map<String, String> DEVICE_FLAGS = Map.ofEntries(
            Map.entry("preferredAutoattachGraphicsDevice", "autoattachGraphicsDevice"),
            Map.entry("preferredAutoattachMemBalloon", "autoattachMemBalloon"),
            Map.entry("preferredAutoattachPodInterface", "autoattachPodInterface"),
            Map.entry("preferredAutoattachSerialConsole", "autoattachSerialConsole"),
            Map.entry("preferredAutoattachInputDevice", "autoattachInputDevice"),
            Map.entry("preferredDisableHotplug", "disableHotplug"),
            Map.entry("preferredUseVirtioTransitional", "useVirtioTransitional"),
            Map.entry("preferredBlockMultiQueue", "blockMultiQueue"),
            Map.entry("preferredNetworkInterfaceMultiQueue", "networkInterfaceMultiqueue"),
            Map.entry("preferredRng", "rng"),
            Map.entry("preferredTPM", "tpm"));
    /** preference field under {@code features} → VMI field under {@code domain.features}. */
    private static final Map<String, String> FEATURES = Map.of(
            "preferredAcpi", "acpi", "preferredApic", "apic", "preferredHyperv", "hyperv", "preferredKvm", "kvm",
            "preferredPvspinlock", "pvspinlock", "preferredSmm", "smm");

    private Preferences() {}

    static void apply(ObjectNode vmiSpec, ObjectNode vmiMetadata, JsonNode pref) {
        ObjectNode domain = Expansion.object(vmiSpec, "domain");
        if (pref.path("devices").isObject()) devices(Expansion.object(domain, "devices"), pref.path("devices"));
        JsonNode features = pref.path("features");
        FEATURES.forEach((from, to) -> fill(domain, "features", to, features.get(from)));
        firmware(domain, pref.path("firmware"));
        fill(domain, "machine", "type", pref.path("machine").get("preferredMachineType"));
        clock(domain, pref.path("clock"));
        setIfAbsent(vmiSpec, "subdomain", pref.get("preferredSubdomain"));
        setIfAbsent(vmiSpec, "terminationGracePeriodSeconds", pref.get("preferredTerminationGracePeriodSeconds"));
        Expansion.annotations(vmiMetadata, pref.path("annotations"));
    }

    private static void devices(ObjectNode devices, JsonNode pref) {
        DEVICE_FLAGS.forEach((from, to) -> setIfAbsent(devices, to, pref.get(from)));
        for (JsonNode d : devices.path("disks")) {
            if (!(d instanceof ObjectNode disk)) continue;
            if (!disk.has("disk") && !disk.has("cdrom") && !disk.has("lun") && pref.has("preferredDiskBus")) disk.putObject("disk");
            fill(disk, "disk", "bus", disk.has("disk") ? pref.get("preferredDiskBus") : null);
            fill(disk, "cdrom", "bus", disk.has("cdrom") ? pref.get("preferredCdromBus") : null);
            fill(disk, "lun", "bus", disk.has("lun") ? pref.get("preferredLunBus") : null);
            setIfAbsent(disk, "dedicatedIOThread", pref.get("preferredDiskDedicatedIoThread"));
            setIfAbsent(disk, "cache", pref.get("preferredDiskCache"));
            setIfAbsent(disk, "io", pref.get("preferredDiskIO"));
            setIfAbsent(disk, "blockSize", pref.get("preferredDiskBlockSize"));
        }
        for (JsonNode i : devices.path("interfaces")) {
            if (i instanceof ObjectNode iface) setIfAbsent(iface, "model", pref.get("preferredInterfaceModel"));
        }
        for (JsonNode i : devices.path("inputs")) {
            if (!(i instanceof ObjectNode input)) continue;
            setIfAbsent(input, "bus", pref.get("preferredInputBus"));
            setIfAbsent(input, "type", pref.get("preferredInputType"));
        }
        if (pref.has("preferredSoundModel") && devices.has("sound")) fill(devices, "sound", "model", pref.get("preferredSoundModel"));
    }

    private static void firmware(ObjectNode domain, JsonNode pref) {
        if (pref.isMissingNode() || domain.path("firmware").has("bootloader")) return;
        ObjectNode bootloader = null;
        if (pref.has("preferredEfi")) {
            bootloader = Expansion.emptyObject();
            bootloader.set("efi", pref.get("preferredEfi").deepCopy());
        } else if (pref.path("preferredUseEfi").asBoolean(false)) {
            bootloader = Expansion.emptyObject();
            ObjectNode efi = bootloader.putObject("efi");
            if (pref.has("preferredUseSecureBoot")) efi.set("secureBoot", pref.get("preferredUseSecureBoot"));
        } else if (pref.path("preferredUseBios").asBoolean(false)) {
            bootloader = Expansion.emptyObject();
            ObjectNode bios = bootloader.putObject("bios");
            if (pref.has("preferredUseBiosSerial")) bios.set("useSerial", pref.get("preferredUseBiosSerial"));
        }
        if (bootloader != null) Expansion.object(domain, "firmware").set("bootloader", bootloader);
    }

    private static void clock(ObjectNode domain, JsonNode pref) {
        JsonNode offset = pref.path("preferredClockOffset");
        boolean hasOffset = domain.path("clock").has("utc") || domain.path("clock").has("timezone");
        if (offset.isObject() && !hasOffset) offset.properties().forEach(e -> Expansion.object(domain, "clock").set(e.getKey(), e.getValue().deepCopy()));
        fill(domain, "clock", "timer", pref.get("preferredTimer"));
    }

    /** Sets {@code parent.object.field} to {@code value} unless set (the object is made when needed). */
    private static void fill(ObjectNode parent, String object, String field, JsonNode value) {
        if (value == null || value.isNull()) return;
        ObjectNode target = Expansion.object(parent, object);
        setIfAbsent(target, field, value);
    }

    private static void setIfAbsent(ObjectNode target, String field, JsonNode value) {
        if (value == null || value.isNull() || target.has(field)) return;
        target.set(field, value.deepCopy());
    }
}
