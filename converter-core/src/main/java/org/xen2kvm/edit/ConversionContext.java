package org.xen2kvm.edit;

import org.xen2kvm.plan.KernelCmdline;

import org.xen2kvm.plan.DeviceMap;

import java.util.List;
import java.util.Map;
import org.xen2kvm.guest.InspectedGuest;

/**
 * What the guest edits need to know about the conversion.
 *
 * @param fstabUuid        write {@code UUID=} specs in fstab where a UUID is known ({@code --fstab-uuid})
 * @param filesystemUuids  KVM guest device path ({@code /dev/vda1}) to filesystem or swap UUID
 * @param nicMacs          MAC addresses of the guest's NICs in order, lower case; kept by the conversion
 * @param serialConsole    the serial console device, {@code ttyS0}
 */
public record ConversionContext(
        DeviceMap deviceMap,
        InspectedGuest guest,
        boolean fstabUuid,
        Map<String, String> filesystemUuids,
        List<String> nicMacs,
        String serialConsole) {

    public ConversionContext {
        filesystemUuids = Map.copyOf(filesystemUuids);
        nicMacs = List.copyOf(nicMacs);
    }

    /** The serial console as a kernel argument value: {@code ttyS0,115200}. */
    public String serialConsoleArg() {
        return serialConsole + "," + KernelCmdline.SERIAL_SPEED;
    }
}
