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
 * @param clusterScoped whether the kind is cluster-scoped (KubeVirt's cluster instancetypes and preferences)
 * @param inAll        whether the kind is in the {@code all} category ({@code kubectl get all})
 * @param status       whether the CRD has a status subresource
 */
record CrdKind(String group, String version, String kind, String plural, String singular,
               List<String> shortNames, String definition, String specDefinition, boolean scale,
               List<PrinterColumn> columns, String description, boolean clusterScoped, boolean inAll, boolean status) {

    /** A namespaced kind in the {@code all} category with a status subresource (the KubeVirt and CDI kinds). */
    CrdKind(String group, String version, String kind, String plural, String singular, List<String> shortNames,
            String definition, String specDefinition, boolean scale, List<PrinterColumn> columns, String description) {
        this(group, version, kind, plural, singular, shortNames, definition, specDefinition, scale, columns, description,
                false, true, true);
    }

    String crdName() {
        return plural + "." + group;
    }

    String fileName() {
        return crdName() + ".yaml";
    }
}
