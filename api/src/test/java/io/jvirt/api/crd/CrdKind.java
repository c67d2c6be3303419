package io.jvirt.api.crd;

import java.util.List;

/**
 * What one generated CustomResourceDefinition says besides its schema.
 *
 * @param definition  the swagger definition of the kind, or {@code null} when the kind's schema is
 *                    assembled from {@code specDefinition} (DataVolume: the swagger has only its spec)
 * @param scale       whether the CRD has a scale subresource (spec.replicas / status.replicas /
 *                    status.labelSelector)
 * @param description our own one-line description of the kind (for {@code kubectl explain})
 */
record CrdKind(String group, String version, String kind, String plural, String singular,
               List<String> shortNames, String definition, String specDefinition, boolean scale,
               List<PrinterColumn> columns, String description) {

    String crdName() {
        return plural + "." + group;
    }

    String fileName() {
        return crdName() + ".yaml";
    }
}
