package org.xen2kvm.domain;

import jakarta.xml.bind.annotation.XmlAccessType;
import jakarta.xml.bind.annotation.XmlAccessorType;
import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlElement;
import jakarta.xml.bind.annotation.XmlElements;
import jakarta.xml.bind.annotation.XmlRootElement;
import jakarta.xml.bind.annotation.XmlType;
import jakarta.xml.bind.annotation.XmlValue;
import java.util.ArrayList;
import java.util.List;

/**
 * The subset of libvirt's domain XML (formatdomain.html) that xen2kvm writes, as JAXB
 * classes. Element order follows libvirt's own output so diffs against {@code virsh
 * dumpxml} stay small.
 */
@XmlRootElement(name = "domain")
@XmlAccessorType(XmlAccessType.FIELD)
@XmlType(propOrder = {"name", "uuid", "description", "memory", "currentMemory", "vcpu", "os", "features",
    "cpu", "clock", "onPoweroff", "onReboot", "onCrash", "devices"})
final class DomainXml {
    @XmlAttribute String type;
    String name;
    String uuid;
    String description;
    Sized memory;
    Sized currentMemory;
    Vcpu vcpu;
    Os os;
    Features features;
    Cpu cpu;
    Clock clock;
    @XmlElement(name = "on_poweroff") String onPoweroff;
    @XmlElement(name = "on_reboot") String onReboot;
    @XmlElement(name = "on_crash") String onCrash;
    Devices devices = new Devices();

    @XmlAccessorType(XmlAccessType.FIELD)
    static final class Sized {
        @XmlAttribute String unit;
        @XmlValue long value;

        Sized() {
        }

        Sized(String unit, long value) {
            this.unit = unit;
            this.value = value;
        }
    }

    @XmlAccessorType(XmlAccessType.FIELD)
    static final class Vcpu {
        @XmlAttribute String placement = "static";
        @XmlAttribute Integer current;
        @XmlValue int value;
    }

    @XmlAccessorType(XmlAccessType.FIELD)
    @XmlType(propOrder = {"type", "kernel", "initrd", "cmdline", "boot"})
    static final class Os {
        OsType type;
        String kernel;
        String initrd;
        String cmdline;
        List<Boot> boot = new ArrayList<>();
    }

    @XmlAccessorType(XmlAccessType.FIELD)
    static final class OsType {
        @XmlAttribute String arch;
        @XmlAttribute String machine;
        @XmlValue String value;
    }

    @XmlAccessorType(XmlAccessType.FIELD)
    static final class Boot {
        @XmlAttribute String dev;

        Boot() {
        }

        Boot(String dev) {
            this.dev = dev;
        }
    }

    /** An element whose presence is the whole meaning ({@code <acpi/>}). */
    @XmlAccessorType(XmlAccessType.FIELD)
    static final class Flag {
    }

    @XmlAccessorType(XmlAccessType.FIELD)
    @XmlType(propOrder = {"acpi", "apic"})
    static final class Features {
        Flag acpi;
        Flag apic;
    }

    @XmlAccessorType(XmlAccessType.FIELD)
    static final class Cpu {
        @XmlAttribute String mode;
    }

    @XmlAccessorType(XmlAccessType.FIELD)
    static final class Clock {
        @XmlAttribute String offset;
    }

    @XmlAccessorType(XmlAccessType.FIELD)
    static final class Devices {
        @XmlElements({
            @XmlElement(name = "disk", type = Disk.class),
            @XmlElement(name = "controller", type = Controller.class),
            @XmlElement(name = "interface", type = Interface.class),
            @XmlElement(name = "serial", type = Serial.class),
            @XmlElement(name = "console", type = Console.class),
            @XmlElement(name = "input", type = Input.class),
            @XmlElement(name = "graphics", type = Graphics.class),
            @XmlElement(name = "video", type = Video.class),
            @XmlElement(name = "memballoon", type = Memballoon.class)})
        List<Object> items = new ArrayList<>();
    }

    @XmlAccessorType(XmlAccessType.FIELD)
    @XmlType(propOrder = {"driver", "source", "target", "readonly", "shareable"})
    static final class Disk {
        @XmlAttribute String type;
        @XmlAttribute String device;
        Driver driver;
        DiskSource source;
        DiskTarget target;
        Flag readonly;
        Flag shareable;
    }

    @XmlAccessorType(XmlAccessType.FIELD)
    static final class Driver {
        @XmlAttribute String name;
        @XmlAttribute String type;
    }

    @XmlAccessorType(XmlAccessType.FIELD)
    static final class DiskSource {
        @XmlAttribute String file;
        @XmlAttribute String dev;
    }

    @XmlAccessorType(XmlAccessType.FIELD)
    static final class DiskTarget {
        @XmlAttribute String dev;
        @XmlAttribute String bus;
    }

    @XmlAccessorType(XmlAccessType.FIELD)
    static final class Controller {
        @XmlAttribute String type;
        @XmlAttribute Integer index;
    }

    @XmlAccessorType(XmlAccessType.FIELD)
    @XmlType(propOrder = {"mac", "source", "model"})
    static final class Interface {
        @XmlAttribute String type;
        Mac mac;
        InterfaceSource source;
        Model model;
    }

    @XmlAccessorType(XmlAccessType.FIELD)
    static final class Mac {
        @XmlAttribute String address;
    }

    @XmlAccessorType(XmlAccessType.FIELD)
    static final class InterfaceSource {
        @XmlAttribute String bridge;
        @XmlAttribute String network;
    }

    @XmlAccessorType(XmlAccessType.FIELD)
    static final class Model {
        @XmlAttribute String type;

        Model() {
        }

        Model(String type) {
            this.type = type;
        }
    }

    @XmlAccessorType(XmlAccessType.FIELD)
    @XmlType(propOrder = {"log", "target"})
    static final class Serial {
        @XmlAttribute String type;
        Log log;
        CharTarget target;
    }

    @XmlAccessorType(XmlAccessType.FIELD)
    static final class Log {
        @XmlAttribute String file;
        @XmlAttribute String append;
    }

    @XmlAccessorType(XmlAccessType.FIELD)
    static final class Console {
        @XmlAttribute String type;
        CharTarget target;
    }

    @XmlAccessorType(XmlAccessType.FIELD)
    static final class CharTarget {
        @XmlAttribute String type;
        @XmlAttribute Integer port;
    }

    @XmlAccessorType(XmlAccessType.FIELD)
    static final class Input {
        @XmlAttribute String type;
        @XmlAttribute String bus;
    }

    @XmlAccessorType(XmlAccessType.FIELD)
    static final class Graphics {
        @XmlAttribute String type;
        @XmlAttribute String port;
        @XmlAttribute String autoport;
        @XmlAttribute String listen;
        @XmlAttribute String passwd;
        @XmlAttribute String keymap;
    }

    @XmlAccessorType(XmlAccessType.FIELD)
    static final class Video {
        Model model;
    }

    @XmlAccessorType(XmlAccessType.FIELD)
    static final class Memballoon {
        @XmlAttribute String model;
    }
}
