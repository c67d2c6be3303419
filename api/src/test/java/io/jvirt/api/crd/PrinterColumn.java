package io.jvirt.api.crd;

/**
 * One {@code additionalPrinterColumns} entry of a CRD version.
 *
 * @param priority 0 = shown by {@code kubectl get}, 1 = only with {@code -o wide}
 */
record PrinterColumn(String name, String type, String jsonPath, int priority) {

    static PrinterColumn column(String name, String type, String jsonPath) {
        return new PrinterColumn(name, type, jsonPath, 0);
    }

    static PrinterColumn wide(String name, String type, String jsonPath) {
        return new PrinterColumn(name, type, jsonPath, 1);
    }

    static PrinterColumn age() {
        return column("Age", "date", ".metadata.creationTimestamp");
    }

    /** The {@code status} of the condition of {@code type} in {@code .status.conditions}. */
    static PrinterColumn condition(String name, String conditionType, int priority) {
        return new PrinterColumn(name, "string", ".status.conditions[?(@.type=='" + conditionType + "')].status", priority);
    }
}
