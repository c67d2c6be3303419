package io.jvirt.virtctl;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code virtctl create vm ...}: prints a VirtualMachine manifest (nothing is sent to the server). */
@Command(name = "create", description = "Create a manifest for a resource.", subcommands = Create.Vm.class)
final class Create {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    @Command(name = "vm", description = "Print a VirtualMachine manifest (pipe it to kubectl apply -f -).")
    static final class Vm implements Callable<Integer>, VirtctlMain.Action {
        @Option(names = "--name", description = "Name of the VM (default: vm- and a random suffix).")
        String name;

        @Option(names = "--run-strategy", defaultValue = "Always", description = "Always, RerunOnFailure, Manual, Halted or Once.")
        String runStrategy;

        @Option(names = "--memory", defaultValue = "512Mi", description = "Guest memory (spec.domain.memory.guest).")
        String memory;

        @Option(names = "--termination-grace-period", defaultValue = "180", description = "Seconds the guest gets to shut down.")
        long gracePeriod;

        @Option(names = "--volume-containerdisk", description = "src:IMAGE[,name:NAME][,bootorder:N] (repeatable).")
        List<String> containerDisks = new ArrayList<>();

        @Option(names = "--volume-pvc", description = "src:PVC[,name:NAME][,bootorder:N] (repeatable).")
        List<String> pvcs = new ArrayList<>();

        @Option(names = "--volume-import", description = "type:http,url:URL,size:SIZE[,name:NAME] - a DataVolume template (repeatable).")
        List<String> imports = new ArrayList<>();

        @Option(names = "--cloud-init-user-data", description = "Cloud-init user data, base64 encoded.")
        String userDataBase64;

        @Option(names = "--user", description = "User for cloud-init to create (with --ssh-key).")
        String user;

        @Option(names = "--ssh-key", description = "SSH public key cloud-init installs (repeatable).")
        List<String> sshKeys = new ArrayList<>();

        @Override
        public String doing() {
            return "creating VirtualMachine manifest:";
        }

        @Override
        public Integer call() throws Exception {
            if (!List.of("Always", "RerunOnFailure", "Manual", "Halted", "Once").contains(runStrategy)) {
                throw new IllegalArgumentException("invalid --run-strategy " + runStrategy + ": Always, RerunOnFailure, Manual, Halted or Once");
            }
            if (userDataBase64 != null && (user != null || !sshKeys.isEmpty())) {
                throw new IllegalArgumentException("--cloud-init-user-data cannot be combined with --user or --ssh-key");
            }
            System.out.print(YAML.writeValueAsString(manifest()));
            return 0;
        }

        ObjectNode manifest() {
            String vmName = name != null ? name : "vm-" + suffix();
            ObjectNode vm = Api.JSON.createObjectNode().put("apiVersion", "kubevirt.io/v1").put("kind", "VirtualMachine");
            vm.putObject("metadata").put("name", vmName);
            ObjectNode spec = vm.putObject("spec").put("runStrategy", runStrategy);
            ArrayNode dataVolumeTemplates = Api.JSON.createArrayNode();
            ObjectNode template = spec.putObject("template");
            template.putObject("metadata").putObject("labels").put("kubevirt.io/vm", vmName);
            ObjectNode tspec = template.putObject("spec");
            ObjectNode domain = tspec.putObject("domain");
            ArrayNode disks = domain.putObject("devices").putArray("disks");
            domain.putObject("memory").put("guest", memory);
            tspec.put("terminationGracePeriodSeconds", gracePeriod);
            ArrayNode volumes = tspec.putArray("volumes");
            int i = 0;
            for (String flag : containerDisks) {
                Map<String, String> p = params("--volume-containerdisk", flag, List.of("src", "name", "bootorder"));
                String volume = p.getOrDefault("name", vmName + "-containerdisk-" + i++);
                disk(disks, volume, p.get("bootorder"));
                volumes.addObject().put("name", volume).putObject("containerDisk").put("image", required(p, "src", "--volume-containerdisk"));
            }
            i = 0;
            for (String flag : pvcs) {
                Map<String, String> p = params("--volume-pvc", flag, List.of("src", "name", "bootorder"));
                String volume = p.getOrDefault("name", vmName + "-pvc-" + i++);
                disk(disks, volume, p.get("bootorder"));
                volumes.addObject().put("name", volume).putObject("persistentVolumeClaim").put("claimName", required(p, "src", "--volume-pvc"));
            }
            i = 0;
            for (String flag : imports) {
                Map<String, String> p = params("--volume-import", flag, List.of("type", "url", "size", "name", "bootorder"));
                if (!"http".equals(p.get("type"))) {
                    throw new IllegalArgumentException("--volume-import: only type:http is supported, not " + p.get("type"));
                }
                String volume = p.getOrDefault("name", vmName + "-import-" + i++);
                ObjectNode dv = dataVolumeTemplates.addObject();
                dv.putObject("metadata").put("name", volume);
                ObjectNode dvSpec = dv.putObject("spec");
                dvSpec.putObject("source").putObject("http").put("url", required(p, "url", "--volume-import"));
                dvSpec.putObject("storage").putObject("resources").putObject("requests").put("storage", required(p, "size", "--volume-import"));
                disk(disks, volume, p.get("bootorder"));
                volumes.addObject().put("name", volume).putObject("dataVolume").put("name", volume);
            }
            String userData = cloudConfig();
            if (userData != null || userDataBase64 != null) {
                disk(disks, "cloudinitdisk", null);
                ObjectNode noCloud = volumes.addObject().put("name", "cloudinitdisk").putObject("cloudInitNoCloud");
                if (userDataBase64 != null) {
                    Base64.getDecoder().decode(userDataBase64); // refuse what is not base64 here, not in the guest
                    noCloud.put("userDataBase64", userDataBase64);
                } else {
                    noCloud.put("userData", userData);
                }
            }
            if (!dataVolumeTemplates.isEmpty()) {
                spec.set("dataVolumeTemplates", dataVolumeTemplates);
            }
            return vm;
        }

        private String cloudConfig() {
            if (user == null && sshKeys.isEmpty()) {
                return null;
            }
            StringBuilder sb = new StringBuilder("#cloud-config\n");
            if (user != null) {
                sb.append("user: ").append(user).append('\n');
            }
            if (!sshKeys.isEmpty()) {
                sb.append("ssh_authorized_keys:\n");
                sshKeys.forEach(k -> sb.append("  - ").append(k.strip()).append('\n'));
            }
            return sb.toString();
        }

        private static void disk(ArrayNode disks, String name, String bootOrder) {
            ObjectNode d = disks.addObject().put("name", name);
            d.putObject("disk").put("bus", "virtio");
            if (bootOrder != null) {
                d.put("bootOrder", Integer.parseInt(bootOrder));
            }
        }

        /** {@code key:value,key:value} as KubeVirt's create flags take them; unknown keys are refused. */
        static Map<String, String> params(String flag, String value, List<String> keys) {
            Map<String, String> out = new LinkedHashMap<>();
            for (String part : value.split(",")) {
                int colon = part.indexOf(':');
                if (colon <= 0) {
                    throw new IllegalArgumentException(flag + ": '" + part + "' is not key:value (e.g. src:IMAGE)");
                }
                String key = part.substring(0, colon);
                if (!keys.contains(key)) {
                    throw new IllegalArgumentException(flag + ": unknown key '" + key + "' (known: " + String.join(", ", keys) + ")");
                }
                out.put(key, part.substring(colon + 1));
            }
            return out;
        }

        private static String required(Map<String, String> p, String key, String flag) {
            String v = p.get(key);
            if (v == null || v.isEmpty()) {
                throw new IllegalArgumentException(flag + " needs " + key + ":...");
            }
            return v;
        }

        private static String suffix() {
            String chars = "abcdefghijklmnopqrstuvwxyz0123456789";
            SecureRandom r = new SecureRandom();
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 5; i++) {
                sb.append(chars.charAt(r.nextInt(chars.length())));
            }
            return sb.toString();
        }
    }
}
