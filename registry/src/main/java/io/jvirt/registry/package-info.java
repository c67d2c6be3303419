/**
 * The registry driver: an OCI distribution client on {@code java.net.http} and the reading of image layers.
 * It imports no other jvirt package and knows nothing of Kubernetes: the node agent (containerDisks,
 * kernel-boot images) and the importer (DataVolume {@code registry} sources) hand it a reference, credentials
 * and a target directory.
 */
package io.jvirt.registry;
