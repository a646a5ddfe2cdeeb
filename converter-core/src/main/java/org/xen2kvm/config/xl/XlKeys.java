package org.xen2kvm.config.xl;

import java.util.Set;
import java.util.TreeSet;

/**
 * The keys an xl/xm file may hold: those {@link XlGuestMapper} reads, and those xl.cfg(5) or
 * xm documents that the conversion knowingly ignores. Any other key is a typo or a key of
 * another tool, and is warned about with the nearest known key.
 */
final class XlKeys {
    /** Keys the mapper reads (with {@link DisplayKeys}' top-level display keys). */
    static final Set<String> READ = Set.of(
            "name", "uuid", "type", "builder", "pvh", "memory", "maxmem", "vcpus", "maxvcpus",
            "kernel", "ramdisk", "initrd", "cmdline", "root", "extra", "bootloader", "bootloader_args", "bootargs",
            "on_poweroff", "on_reboot", "on_crash", "boot", "acpi", "apic", "pae", "localtime", "cpus",
            "cpu_weight", "disk", "vif", "vfb", "serial", "pci",
            "vnc", "vnclisten", "vncdisplay", "vncunused", "vncpasswd", "keymap", "sdl",
            "spice", "spicehost", "spiceport", "spicepasswd");

    /** Documented in xl.cfg(5) (Xen 4.19), not used by the conversion. */
    static final Set<String> IGNORED_XL = Set.of(
            "pool", "cpus_soft", "cap", "vnuma", "on_watchdog", "on_soft_reset", "firmware",
            "pvshim", "pvshim_path", "pvshim_cmdline", "pvshim_extra", "seclabel", "init_seclabel",
            "max_grant_frames", "max_maptrack_frames", "max_grant_version", "nomigrate", "driver_domain",
            "device_tree", "passthrough", "xend_suspend_evtchn_compat", "vmtrace_buf_kb", "vpmu",
            "vtpm", "p9", "pvcalls", "channel", "rdm", "usbctrl", "usbdev", "pci_permissive",
            "pci_msitranslate", "pci_seize", "pci_power_mgmt", "gfx_passthru", "rdm_mem_boundary", "dtdev",
            "ioports", "iomem", "irqs", "max_event_channels", "vdispl", "dm_restrict", "device_model_user",
            "vsnd", "vkb", "virtio", "tee", "bootloader_restrict", "bootloader_user", "e820_host",
            "hdtype", "hap", "oos", "shadow_memory", "bios", "bios_path_override", "acpi_s3", "acpi_s4",
            "acpi_laptop_slate", "nx", "hpet", "altp2m", "altp2mhvm", "nestedhvm", "cpuid", "acpi_firmware",
            "smbios_firmware", "smbios", "ms_vm_genid", "tsc_mode", "rtc_timeoffset", "vpt_align", "timer_mode",
            "mmio_hole", "xen_platform_pci", "viridian", "hvm_pirq", "videoram", "stdvga", "vga", "opengl",
            "nographic", "spicetls_port", "spicedisable_ticketing", "spiceagent_mouse", "spicevdagent",
            "spice_clipboard_sharing", "spiceusbredirection", "spice_image_compression",
            "spice_streaming_video", "soundhw", "vkb_device", "usb", "usbversion", "usbdevice", "vendor_device",
            "device_model_version", "device_model_override", "stubdomain_kernel", "stubdomain_cmdline",
            "stubdomain_ramdisk", "stubdomain_memory", "device_model_stubdomain_override",
            "device_model_stubdomain_seclabel", "device_model_args", "device_model_args_pv",
            "device_model_args_hvm", "gic_version", "vuart", "sve", "mca_caps", "msr_relaxed",
            "display", "xauthority");

    /**
     * xm/xend-era keys (xmexample files, xend's config) and keys of libvirt's xm reader that
     * xl no longer documents; old files carry them and they are no typos.
     */
    static final Set<String> IGNORED_XM = Set.of(
            "device_model", "vncconsole", "vncviewer", "restart", "monitor", "monitor_path", "vscsi",
            "cpu", "cpu_cap", "on_xend_start", "on_xend_stop", "access_control", "security", "isa",
            "xen_extended_power_mgmt", "guest_os_type", "s3_integrity", "vhpt", "fda", "fdb",
            "expose_host_uuid", "superpages", "memory_sharing", "vcpu_avail", "nics", "dhcp", "ip", "netmask",
            "gateway", "hostname", "nfs_server", "nfs_root", "blkif", "netif", "tpmif", "cpuid_check",
            "machine_address_size", "suppress_spurious_page_faults", "features", "irq", "parallel");

    static final Set<String> KNOWN;

    static {
        Set<String> all = new TreeSet<>(READ);
        all.addAll(IGNORED_XL);
        all.addAll(IGNORED_XM);
        KNOWN = Set.copyOf(all);
    }

    private XlKeys() {
    }

    static boolean isKnown(String key) {
        return KNOWN.contains(key);
    }
}
