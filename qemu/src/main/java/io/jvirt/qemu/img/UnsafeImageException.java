package io.jvirt.qemu.img;

import java.io.IOException;
import java.nio.file.Path;

/** A foreign image refers to another file (backing file, external data file or extent) and was refused. */
public final class UnsafeImageException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path image;
    private final String referencedFile;

    public UnsafeImageException(Path image, String what, String referencedFile) {
        super("refusing image " + image + ": it has " + what + " '" + referencedFile
                + "'; images from outside jvirt may not refer to other files");
        this.image = image;
        this.referencedFile = referencedFile;
    }

    /** The refused image. */
    public Path image() {
        return image;
    }

    /** The other file it names. */
    public String referencedFile() {
        return referencedFile;
    }
}
