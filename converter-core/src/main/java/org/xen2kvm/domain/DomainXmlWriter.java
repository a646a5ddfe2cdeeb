package org.xen2kvm.domain;

import jakarta.xml.bind.JAXBContext;
import jakarta.xml.bind.JAXBException;
import jakarta.xml.bind.Marshaller;
import java.io.StringWriter;
import org.xen2kvm.kvm.DomainType;
import org.xen2kvm.kvm.DirectBoot;
import org.xen2kvm.kvm.TargetDisk;
import org.xen2kvm.kvm.TargetDomain;
import org.xen2kvm.kvm.TargetGraphics;
import org.xen2kvm.kvm.TargetNic;

/** Serializes a {@link TargetDomain} as libvirt domain XML. */
public final class DomainXmlWriter {
    private static final JAXBContext CONTEXT;

    static {
        try {
            CONTEXT = JAXBContext.newInstance(DomainXml.class);
        } catch (JAXBException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private DomainXmlWriter() {
    }

    /** The domain XML, indented, without an XML declaration (as {@code virsh dumpxml}). */
    public static String write(TargetDomain d) {
        DomainXml x = toXml(d);
        try {
            Marshaller m = CONTEXT.createMarshaller();
            m.setProperty(Marshaller.JAXB_FORMATTED_OUTPUT, Boolean.TRUE);
            m.setProperty(Marshaller.JAXB_FRAGMENT, Boolean.TRUE);
            StringWriter w = new StringWriter();
            m.marshal(x, w);
            return w.toString() + "\n";
        } catch (JAXBException e) {
            throw new IllegalStateException("cannot serialize domain " + d.name(), e);
        }
    }

    private static DomainXml toXml(TargetDomain d) {
        DomainXml x = new DomainXml();
        x.type = d.domainType().label();
        x.name = d.name();
        x.uuid = d.uuid();
        x.description = d.description();
        x.memory = new DomainXml.Sized("KiB", d.memoryKiB());
        x.currentMemory = new DomainXml.Sized("KiB", d.currentMemoryKiB());
        x.vcpu = new DomainXml.Vcpu();
        x.vcpu.value = d.vcpus();
        x.vcpu.current = d.currentVcpus() < d.vcpus() ? d.currentVcpus() : null;
        x.os = new DomainXml.Os();
        x.os.type = new DomainXml.OsType();
        x.os.type.arch = "x86_64";
        x.os.type.machine = d.machine();
        x.os.type.value = "hvm";
        DirectBoot db = d.directBoot();
        if (db != null) {
            x.os.kernel = db.kernel();
            x.os.initrd = db.initrd();
            x.os.cmdline = db.cmdline();
        } else {
            for (String dev : d.bootDevices()) {
                x.os.boot.add(new DomainXml.Boot(dev));
            }
        }
        if (d.acpi() || d.apic()) {
            x.features = new DomainXml.Features();
            x.features.acpi = d.acpi() ? new DomainXml.Flag() : null;
            x.features.apic = d.apic() ? new DomainXml.Flag() : null;
        }
        if (d.domainType() == DomainType.KVM) {
            // host-model needs KVM; under TCG libvirt's default CPU model is the safe choice.
            x.cpu = new DomainXml.Cpu();
            x.cpu.mode = "host-model";
        }
        x.clock = new DomainXml.Clock();
        x.clock.offset = d.localtime() ? "localtime" : "utc";
        x.onPoweroff = d.onPoweroff();
        x.onReboot = d.onReboot();
        x.onCrash = d.onCrash();
        for (TargetDisk disk : d.disks()) {
            x.devices.items.add(disk(disk));
        }
        for (TargetNic nic : d.nics()) {
            x.devices.items.add(nic(nic));
        }
        DomainXml.Serial serial = new DomainXml.Serial();
        serial.type = "pty";
        serial.target = new DomainXml.CharTarget();
        serial.target.port = 0;
        x.devices.items.add(serial);
        DomainXml.Console console = new DomainXml.Console();
        console.type = "pty";
        console.target = new DomainXml.CharTarget();
        console.target.type = "serial";
        console.target.port = 0;
        x.devices.items.add(console);
        if (!d.graphics().isEmpty()) {
            DomainXml.Input tablet = new DomainXml.Input();
            tablet.type = "tablet";
            tablet.bus = "usb";
            x.devices.items.add(tablet);
            for (TargetGraphics g : d.graphics()) {
                x.devices.items.add(graphics(g));
            }
            DomainXml.Video video = new DomainXml.Video();
            video.model = new DomainXml.Model("vga");
            x.devices.items.add(video);
        }
        DomainXml.Memballoon balloon = new DomainXml.Memballoon();
        balloon.model = "virtio";
        x.devices.items.add(balloon);
        return x;
    }

    private static DomainXml.Disk disk(TargetDisk t) {
        DomainXml.Disk disk = new DomainXml.Disk();
        disk.type = t.blockDevice() ? "block" : "file";
        disk.device = t.cdrom() ? "cdrom" : "disk";
        disk.driver = new DomainXml.Driver();
        disk.driver.name = "qemu";
        disk.driver.type = t.format();
        if (t.sourcePath() != null) {
            disk.source = new DomainXml.DiskSource();
            if (t.blockDevice()) {
                disk.source.dev = t.sourcePath();
            } else {
                disk.source.file = t.sourcePath();
            }
        }
        disk.target = new DomainXml.DiskTarget();
        disk.target.dev = t.targetDev();
        disk.target.bus = t.bus();
        disk.readonly = t.readOnly() || t.cdrom() ? new DomainXml.Flag() : null;
        disk.shareable = t.shareable() ? new DomainXml.Flag() : null;
        return disk;
    }

    private static DomainXml.Interface nic(TargetNic n) {
        DomainXml.Interface i = new DomainXml.Interface();
        i.type = n.network() ? "network" : "bridge";
        if (n.mac() != null) {
            i.mac = new DomainXml.Mac();
            i.mac.address = n.mac();
        }
        i.source = new DomainXml.InterfaceSource();
        if (n.network()) {
            i.source.network = n.source();
        } else {
            i.source.bridge = n.source();
        }
        i.model = new DomainXml.Model(n.model());
        return i;
    }

    private static DomainXml.Graphics graphics(TargetGraphics g) {
        DomainXml.Graphics x = new DomainXml.Graphics();
        x.type = g.type();
        if (g.port() != null) {
            x.port = g.port().toString();
            x.autoport = "no";
        } else {
            x.port = "-1";
            x.autoport = "yes";
        }
        x.listen = g.listen();
        x.passwd = g.password();
        x.keymap = g.keymap();
        return x;
    }
}
