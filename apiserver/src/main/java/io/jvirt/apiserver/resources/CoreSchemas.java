package io.jvirt.apiserver.resources;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Schemas for the built-in kinds users most often {@code kubectl apply} (ConfigMap, Secret, Service,
 * PersistentVolumeClaim): enough declared fields, list merge keys and map types for kubectl to compute
 * strategic merge patches from /openapi/v3 without warnings. Every object level also keeps unknown
 * fields, so the server never prunes a field these partial schemas leave out. Other kinds: any object.
 */
final class CoreSchemas {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String STRING = "{'type':'string'}";
    private static final String STRING_MAP = "{'type':'object','additionalProperties':{'type':'string'}}";
    private static final String QUANTITY_MAP = "{'type':'object','additionalProperties':{'x-kubernetes-int-or-string':true}}";

    private CoreSchemas() {}

    static JsonNode of(String group, String kind) {
        if (!group.isEmpty()) return BuiltinResources.looseSchema();
        return switch (kind) {
            case "ConfigMap" -> parse(object("'data':" + STRING_MAP + ",'binaryData':" + STRING_MAP + ",'immutable':{'type':'boolean'}"));
            case "Secret" -> parse(object("'data':" + STRING_MAP + ",'stringData':" + STRING_MAP + ",'type':" + STRING
                    + ",'immutable':{'type':'boolean'}"));
            case "Service" -> parse(object("'spec':" + object("'type':" + STRING + ",'clusterIP':" + STRING + ",'selector':" + STRING_MAP
                    + ",'ports':{'type':'array','x-kubernetes-list-type':'map','x-kubernetes-list-map-keys':['port','protocol'],"
                    + "'x-kubernetes-patch-merge-key':'port','x-kubernetes-patch-strategy':'merge','items':"
                    + object("'name':" + STRING + ",'protocol':" + STRING + ",'port':{'type':'integer'},'nodePort':{'type':'integer'},"
                    + "'targetPort':{'x-kubernetes-int-or-string':true}") + "}")));
            case "PersistentVolumeClaim" -> parse(object("'spec':" + object("'accessModes':{'type':'array','items':" + STRING + "},"
                    + "'storageClassName':" + STRING + ",'volumeMode':" + STRING + ",'volumeName':" + STRING + ",'resources':"
                    + object("'requests':" + QUANTITY_MAP + ",'limits':" + QUANTITY_MAP))));
            default -> BuiltinResources.looseSchema();
        };
    }

    private static String object(String properties) {
        return "{'type':'object','x-kubernetes-preserve-unknown-fields':true,'properties':{" + properties + "}}";
    }

    private static JsonNode parse(String s) {
        try {
            return JSON.readTree(s.replace('\'', '"'));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
