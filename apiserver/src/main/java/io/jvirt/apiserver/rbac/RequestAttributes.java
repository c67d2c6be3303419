package io.jvirt.apiserver.rbac;

import io.jvirt.apiserver.security.User;

/**
 * What one request asks, in the terms RBAC decides on (kube-apiserver's authorizer.Attributes).
 * For a resource request: {@code verb} (get, list, watch, create, update, patch, delete,
 * deletecollection), {@code apiGroup} ("" for core), {@code resource} (plural), {@code subresource}
 * ("" if none), {@code namespace} ("" for cluster-scoped or all namespaces), {@code name} ("" for
 * collections and create). For a non-resource request: the lower-case HTTP method as verb and the
 * {@code path}. Immutable.
 */
public record RequestAttributes(User user, String verb, boolean resourceRequest, String apiGroup, String resource,
                                String subresource, String namespace, String name, String path) {

    public RequestAttributes {
        apiGroup = nullToEmpty(apiGroup);
        resource = nullToEmpty(resource);
        subresource = nullToEmpty(subresource);
        namespace = nullToEmpty(namespace);
        name = nullToEmpty(name);
        path = nullToEmpty(path);
    }

    /** A request on a resource (or one of its subresources). */
    public static RequestAttributes resource(User user, String verb, String apiGroup, String resource, String subresource,
                                             String namespace, String name) {
        return new RequestAttributes(user, verb, true, apiGroup, resource, subresource, namespace, name, "");
    }

    /** A request on a path that is not a resource ({@code /api}, {@code /openapi/v3}, ...). */
    public static RequestAttributes nonResource(User user, String verb, String path) {
        return new RequestAttributes(user, verb, false, "", "", "", "", "", path);
    }

    /** {@code resource/subresource}, as RBAC rules name it. */
    public String combinedResource() {
        return subresource.isEmpty() ? resource : resource + "/" + subresource;
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
