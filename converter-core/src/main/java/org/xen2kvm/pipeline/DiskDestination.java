package org.xen2kvm.pipeline;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.xen2kvm.libvirt.Registration;
import org.xen2kvm.libvirt.UploadedVolume;

/**
 * Where the converted disks end up. The disks are always written to the output directory
 * first; a destination then takes them from there, and the domain XML names them where
 * they end up. The CLI picks the destination; the steps do not know which it is.
 */
public sealed interface DiskDestination {
    /**
     * Delivers the written disk images and says where each now is, as the domain must name it.
     *
     * @param registration the libvirt transaction of the run, or null without {@code --connect};
     *                     whatever is created through it is removed if the run fails
     * @return each image's path on the libvirt host, by its path in the output directory
     */
    Map<Path, String> deliver(List<Path> images, Registration registration, boolean replace);

    /** The files in the output directory, used where they are. */
    record LocalFiles() implements DiskDestination {
        @Override
        public Map<Path, String> deliver(List<Path> images, Registration registration, boolean replace) {
            Map<Path, String> m = new LinkedHashMap<>();
            images.forEach(i -> m.put(i, i.toString()));
            return m;
        }
    }

    /**
     * Volumes of a libvirt storage pool, uploaded through the libvirt connection, so the KVM
     * host may be remote ({@code qemu+ssh://host/system}). The volume keeps the image's file
     * name; the copies in the output directory stay as the local record of the conversion.
     */
    record StoragePool(String pool) implements DiskDestination {
        @Override
        public Map<Path, String> deliver(List<Path> images, Registration registration, boolean replace) {
            Map<Path, String> m = new LinkedHashMap<>();
            for (Path image : images) {
                UploadedVolume v = registration.uploadVolume(pool, image.getFileName().toString(), image, replace);
                m.put(image, v.path());
            }
            return m;
        }
    }
}
