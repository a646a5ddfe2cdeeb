package org.xen2kvm.libvirt.register;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import org.libvirt.jna.SizeT;

/**
 * The few libvirt C functions a serial console needs that libvirt-java 0.5.2 does not wrap
 * ({@code virDomainOpenConsole} is missing there). Signatures follow libvirt's public
 * headers (libvirt-domain.h, libvirt-stream.h, virterror.h); all handles stay opaque.
 */
interface ConsoleNative extends Library {
    ConsoleNative INSTANCE = Native.load("virt", ConsoleNative.class);

    /** virStreamFlags: VIR_STREAM_NONBLOCK, so receive returns at once when no data is queued. */
    int VIR_STREAM_NONBLOCK = 1;
    /** virDomainConsoleFlags: VIR_DOMAIN_CONSOLE_FORCE, take the console from a stale session. */
    int VIR_DOMAIN_CONSOLE_FORCE = 1;
    /** virStreamRecv/virStreamSend return value meaning "would block" on a non-blocking stream. */
    int STREAM_WOULD_BLOCK = -2;

    Pointer virConnectOpen(String name);

    int virConnectClose(Pointer conn);

    Pointer virDomainLookupByUUIDString(Pointer conn, String uuid);

    int virDomainFree(Pointer domain);

    Pointer virStreamNew(Pointer conn, int flags);

    int virDomainOpenConsole(Pointer domain, String devName, Pointer stream, int flags);

    int virStreamRecv(Pointer stream, byte[] data, SizeT nbytes);

    int virStreamSend(Pointer stream, byte[] data, SizeT nbytes);

    int virStreamAbort(Pointer stream);

    int virStreamFree(Pointer stream);

    /** Message of the calling thread's last libvirt error; never null, owned by libvirt. */
    String virGetLastErrorMessage();
}
