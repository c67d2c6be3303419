package io.jvirt.registry;

import java.io.InputStream;

/**
 * One image somewhere: a registry's repository or a local OCI layout. {@link #resolve()} gives the node's image
 * manifest (an index resolved to linux/amd64), every manifest's digest checked; {@link #openBlob} gives a
 * blob's raw bytes, which {@link ImageFiles} checks against the descriptor while reading them.
 */
public interface ImageSource {
    /** Who serves the image, for messages (e.g. {@code registry 127.0.0.1:5000}). */
    String describe();

    /** The image manifest for this node. @throws ImageException why not */
    Manifest.Image resolve();

    /** The blob's bytes as served (not yet checked). @throws ImageException why not */
    InputStream openBlob(Descriptor blob);
}
