package io.jvirt.apiserver.resources;

/** A CRD additionalPrinterColumn: header name, type, format, JSONPath into the object, -o wide priority. */
public record PrinterColumn(String name, String type, String format, String description, String jsonPath, int priority) {}
