package io.jvirt.apiserver;

/** A test CRD (example.com/v1 Foo) exercising the generic CRD features: defaults, enum, status, scale, columns. */
final class FooCrd {
    private FooCrd() {}

    static final String YAML = """
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata:
              name: foos.example.com
            spec:
              group: example.com
              scope: Namespaced
              names: {plural: foos, singular: foo, kind: Foo, shortNames: [fo], categories: [all]}
              versions:
              - name: v1
                served: true
                storage: true
                subresources:
                  status: {}
                  scale: {specReplicasPath: .spec.size, statusReplicasPath: .status.size}
                additionalPrinterColumns:
                - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
                - {name: Phase, type: string, jsonPath: .status.phase}
                - {name: Ready, type: string, jsonPath: ".status.conditions[?(@.type=='Ready')].status"}
                - {name: Size, type: integer, jsonPath: .spec.size, priority: 1}
                schema:
                  openAPIV3Schema:
                    type: object
                    properties:
                      spec:
                        type: object
                        properties:
                          size: {type: integer, default: 1}
                          mode: {type: string, enum: [a, b]}
                          free: {type: object, x-kubernetes-preserve-unknown-fields: true}
                      status:
                        type: object
                        x-kubernetes-preserve-unknown-fields: true
            """;

    static final String FOOS = "/apis/example.com/v1/namespaces/default/foos";

    static String foo(String name, String spec) {
        return "{\"apiVersion\":\"example.com/v1\",\"kind\":\"Foo\",\"metadata\":{\"name\":\"" + name + "\"},\"spec\":" + spec + "}";
    }
}
