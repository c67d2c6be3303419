package io.jvirt.handler.pod;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the node agent needs of a launcher pod to run it (pure, from the Pod object).
 *
 * @param uid pod UID: names the netns, the cgroup and the state directory
 * @param command argv of the {@code compute} container (command then args)
 * @param memoryLimitBytes {@code limits.memory}, else {@code requests.memory}, else 0 (no limit); read with
 *     Kubernetes' quantity grammar (fabric8's reads through a double and loses bytes)
 * @param gracePeriodSeconds {@code terminationGracePeriodSeconds} (default 30)
 */
public record PodPlan(String uid, String namespace, String name, List<String> command, long memoryLimitBytes,
        long gracePeriodSeconds) {
    public static final String CONTAINER = "compute";
    /** The controller's launcher pods run this; the node agent replaces it with the real launcher. */
    public static final String LAUNCHER_COMMAND = "jvirt-launcher";

    public PodPlan {
        command = List.copyOf(command);
    }

    /**
     * @throws IllegalArgumentException when the pod has no {@code compute} container with a command, or its memory
     *     limit is not a quantity or does not fit in a long
     */
    public static PodPlan of(Pod pod) {
        Container compute = pod.getSpec().getContainers().stream().filter(c -> CONTAINER.equals(c.getName())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("pod has no container named " + CONTAINER));
        List<String> argv = new ArrayList<>();
        if (compute.getCommand() != null) {
            argv.addAll(compute.getCommand());
        }
        if (compute.getArgs() != null) {
            argv.addAll(compute.getArgs());
        }
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("container " + CONTAINER + " has no command");
        }
        Long grace = pod.getSpec().getTerminationGracePeriodSeconds();
        return new PodPlan(pod.getMetadata().getUid(), pod.getMetadata().getNamespace(), pod.getMetadata().getName(), argv,
                memoryLimit(compute), grace == null ? 30 : grace);
    }

    static long memoryLimit(Container c) {
        if (c.getResources() == null) {
            return 0;
        }
        Quantity q = pick(c.getResources().getLimits());
        if (q == null) {
            q = pick(c.getResources().getRequests());
        }
        if (q == null) {
            return 0;
        }
        String text = (q.getAmount() == null ? "" : q.getAmount()) + (q.getFormat() == null ? "" : q.getFormat());
        try {
            return io.jvirt.api.meta.Quantity.parse(text).toLongCeiling();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("memory limit " + text + " of container " + c.getName() + " is too large for a memory cgroup", e);
        }
    }

    private static Quantity pick(Map<String, Quantity> resources) {
        return resources == null ? null : resources.get("memory");
    }

    /** True when this is a VMI launcher pod (command {@code jvirt-launcher --namespace NS --name VMI --uid UID}). */
    public boolean isLauncher() {
        return LAUNCHER_COMMAND.equals(command.get(0));
    }

    /** The value after {@code --flag} in the command, or null. */
    public String flag(String flag) {
        int i = command.indexOf(flag);
        return i < 0 || i + 1 >= command.size() ? null : command.get(i + 1);
    }

    /** Network namespace name: {@code jvirt-} and the first 12 hex digits of the UID. */
    public String netnsName() {
        return netnsName(uid);
    }

    /** Network namespace name of the pod with this UID. */
    public static String netnsName(String uid) {
        String hex = uid.replace("-", "");
        return "jvirt-" + hex.substring(0, Math.min(12, hex.length()));
    }
}
