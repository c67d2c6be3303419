package io.jvirt.apiserver.resources;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Schemas for the core kinds: ConfigMap, Secret, Service and PersistentVolumeClaim with enough declared fields,
 * list merge keys and map types for kubectl to compute strategic merge patches from /openapi/v3 without warnings;
 * Pod, Namespace, Node, Event, ServiceAccount and PersistentVolume with the types of the fields jvirt and users set,
 * so a field of the wrong JSON type is refused (400, as kube-apiserver's typed decoder). Every object level keeps
 * unknown fields, so the server never prunes a field these partial schemas leave out. Other kinds: any object.
 */
final class CoreSchemas {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String STRING = "{'type':'string'}";
    private static final String STRING_MAP = "{'type':'object','additionalProperties':{'type':'string'}}";
    private static final String INTEGER = "{'type':'integer'}";
    private static final String BOOLEAN = "{'type':'boolean'}";
    private static final String NULLABLE_STRING = "{'type':'string','nullable':true}";
    private static final String CONDITION = "{'type':'object','x-kubernetes-preserve-unknown-fields':true,'properties':{'type':{'type':'string'},"
            + "'status':{'type':'string'},'reason':{'type':'string'},'message':{'type':'string'}}}";
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
            case "Pod" -> parse(object("'spec':" + podSpec() + ",'status':" + object("'phase':" + STRING + ",'podIP':" + STRING
                    + ",'hostIP':" + STRING + ",'message':" + STRING + ",'reason':" + STRING + ",'startTime':" + STRING
                    + ",'conditions':" + array(CONDITION) + ",'podIPs':" + array(object("'ip':" + STRING))
                    + ",'containerStatuses':" + array(object("'name':" + STRING + ",'ready':" + BOOLEAN + ",'restartCount':" + INTEGER)))));
            case "Namespace" -> parse(object("'spec':" + object("'finalizers':" + array(STRING)) + ",'status':" + object("'phase':" + STRING
                    + ",'conditions':" + array(CONDITION))));
            case "Node" -> parse(object("'spec':" + object("'unschedulable':" + BOOLEAN + ",'podCIDR':" + STRING + ",'providerID':" + STRING
                    + ",'taints':" + array(object("'key':" + STRING + ",'value':" + STRING + ",'effect':" + STRING + ",'timeAdded':" + STRING)))
                    + ",'status':" + object("'capacity':" + QUANTITY_MAP + ",'allocatable':" + QUANTITY_MAP + ",'conditions':" + array(CONDITION)
                    + ",'addresses':" + array(object("'type':" + STRING + ",'address':" + STRING)) + ",'nodeInfo':" + object("'kubeletVersion':" + STRING
                    + ",'kubeProxyVersion':" + STRING + ",'osImage':" + STRING + ",'kernelVersion':" + STRING
                    + ",'containerRuntimeVersion':" + STRING + ",'operatingSystem':" + STRING + ",'architecture':" + STRING
                    + ",'machineID':" + STRING + ",'systemUUID':" + STRING + ",'bootID':" + STRING))));
            case "Event" -> parse(object("'involvedObject':" + object("'kind':" + STRING + ",'namespace':" + STRING + ",'name':" + STRING
                    + ",'uid':" + STRING + ",'apiVersion':" + STRING + ",'resourceVersion':" + STRING + ",'fieldPath':" + STRING)
                    + ",'reason':" + STRING + ",'message':" + STRING + ",'type':" + STRING + ",'count':" + INTEGER
                    + ",'firstTimestamp':" + NULLABLE_STRING + ",'lastTimestamp':" + NULLABLE_STRING + ",'eventTime':" + NULLABLE_STRING
                    + ",'source':" + object("'component':" + STRING + ",'host':" + STRING)));
            case "ServiceAccount" -> parse(object("'automountServiceAccountToken':" + BOOLEAN + ",'secrets':" + array(object("'name':" + STRING))));
            case "PersistentVolume" -> parse(object("'spec':" + object("'capacity':" + QUANTITY_MAP + ",'accessModes':" + array(STRING)
                    + ",'storageClassName':" + STRING + ",'persistentVolumeReclaimPolicy':" + STRING + ",'volumeMode':" + STRING)
                    + ",'status':" + object("'phase':" + STRING)));
            default -> BuiltinResources.looseSchema();
        };
    }

    /** The Pod spec fields jvirt's components and users set, with list merge keys as kube-apiserver publishes them. */
    private static String podSpec() {
        String container = object("'name':" + STRING + ",'image':" + STRING + ",'command':" + array(STRING) + ",'args':" + array(STRING)
                + ",'workingDir':" + STRING + ",'imagePullPolicy':" + STRING + ",'stdin':" + BOOLEAN + ",'tty':" + BOOLEAN
                + ",'ports':" + keyedList("containerPort", object("'name':" + STRING + ",'containerPort':" + INTEGER + ",'hostPort':" + INTEGER
                + ",'protocol':" + STRING + ",'hostIP':" + STRING))
                + ",'env':" + keyedList("name", object("'name':" + STRING + ",'value':" + STRING))
                + ",'resources':" + object("'requests':" + QUANTITY_MAP + ",'limits':" + QUANTITY_MAP)
                + ",'volumeMounts':" + keyedList("mountPath", object("'name':" + STRING + ",'mountPath':" + STRING + ",'readOnly':" + BOOLEAN
                + ",'subPath':" + STRING)));
        return object("'containers':" + keyedList("name", container) + ",'initContainers':" + keyedList("name", container)
                + ",'volumes':" + keyedList("name", object("'name':" + STRING)) + ",'nodeName':" + STRING + ",'nodeSelector':" + STRING_MAP
                + ",'restartPolicy':" + STRING + ",'terminationGracePeriodSeconds':" + INTEGER + ",'activeDeadlineSeconds':" + INTEGER
                + ",'serviceAccountName':" + STRING + ",'automountServiceAccountToken':" + BOOLEAN + ",'hostNetwork':" + BOOLEAN
                + ",'hostPID':" + BOOLEAN + ",'hostIPC':" + BOOLEAN + ",'schedulerName':" + STRING + ",'priority':" + INTEGER
                + ",'hostname':" + STRING + ",'subdomain':" + STRING + ",'dnsPolicy':" + STRING
                + ",'tolerations':" + array(object("'key':" + STRING + ",'operator':" + STRING + ",'value':" + STRING + ",'effect':" + STRING
                + ",'tolerationSeconds':" + INTEGER)));
    }

    private static String array(String items) {
        return "{'type':'array','items':" + items + "}";
    }

    /** A list merged by {@code key} in strategic merge patches. */
    private static String keyedList(String key, String items) {
        return "{'type':'array','x-kubernetes-patch-merge-key':'" + key + "','x-kubernetes-patch-strategy':'merge','items':" + items + "}";
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
