package io.jvirt.qemu.img;

import java.io.IOException;
import java.nio.file.Path;

/** A foreign image refers to another file (backing file, external data file or extent) and was refused. */
public final class UnsafeImageException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path image;
    private final String referencedFile;
    private final String what;

    public UnsafeImageException(Path image, String what, String referencedFile) {
        super("refusing image " + image + ": it has " + what + " '" + referencedFile
                + "'; images from outside jvirt may not refer to other files");
        this.image = image;
        this.referencedFile = referencedFile;
        this.what = what;
    }

    /** What kind of reference it is: "a backing file", "an external data file", "an extent in another file". */
    public String what() {
        return what;
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
