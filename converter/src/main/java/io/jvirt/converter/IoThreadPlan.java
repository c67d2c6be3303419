package io.jvirt.converter;

import io.jvirt.api.v1.Disk;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which virtio-blk disk runs on which I/O thread, from {@code ioThreadsPolicy} and each disk's
 * {@code dedicatedIOThread}: no policy gives only dedicated threads; {@code shared} puts the other
 * virtio disks on one thread; {@code auto} spreads them over up to 2 × vCPUs threads. Pure function
 * of the spec.
 *
 * @param threads iothread object ids, in creation order
 * @param byDisk iothread id per disk name
 */
record IoThreadPlan(List<String> threads, Map<String, String> byDisk) {
    static final String SHARED = "shared";
    static final String AUTO = "auto";

    static IoThreadPlan of(ConversionContext context) {
        String policy = context.domain().ioThreadsPolicy();
        if (policy != null && !policy.equals(SHARED) && !policy.equals(AUTO)) {
            throw new ConversionException("spec.domain.ioThreadsPolicy: unsupported '" + policy + "' (supported: shared, auto)");
        }
        Set<String> threads = new LinkedHashSet<>();
        Map<String, String> byDisk = new LinkedHashMap<>();
        List<String> pooled = new ArrayList<>();
        for (Disk disk : context.disks()) {
            if (!DiskConfigurator.isVirtioDisk(disk)) {
                continue;
            }
            if (Boolean.TRUE.equals(disk.dedicatedIOThread())) {
                String id = "iothread-" + disk.name();
                threads.add(id);
                byDisk.put(disk.name(), id);
            } else if (policy != null) {
                pooled.add(disk.name());
            }
        }
        int poolSize = SHARED.equals(policy) ? 1 : Math.min(pooled.size(), 2 * context.vcpus());
        for (int i = 0; i < pooled.size(); i++) {
            String id = "iothread" + (i % poolSize);
            threads.add(id);
            byDisk.put(pooled.get(i), id);
        }
        return new IoThreadPlan(List.copyOf(threads), Map.copyOf(byDisk));
    }
}
