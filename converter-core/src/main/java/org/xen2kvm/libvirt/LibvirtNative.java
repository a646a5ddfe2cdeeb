package org.xen2kvm.libvirt;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import org.libvirt.jna.SizeT;

/**
 * The few libvirt C functions that libvirt-java 0.5.2 does not wrap: a domain's console
 * ({@code virDomainOpenConsole}) and volume upload ({@code virStorageVolUpload}), plus the
 * connection and stream calls around them. Signatures follow libvirt's public
 * headers (libvirt-domain.h, libvirt-storage.h, libvirt-stream.h, virterror.h); all handles stay opaque.
 */
interface LibvirtNative extends Library {
    LibvirtNative INSTANCE = Native.load("virt", LibvirtNative.class);

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

    int virStreamFinish(Pointer stream);

    /** Tells the receiver that {@code length} bytes of hole follow (sparse streams, libvirt 3.4+). */
    int virStreamSendHole(Pointer stream, long length, int flags);

    Pointer virStorageVolLookupByKey(Pointer conn, String key);

    int virStorageVolFree(Pointer volume);

    int virStorageVolUpload(Pointer volume, Pointer stream, long offset, long length, int flags);

    int virStreamFree(Pointer stream);

    /** Message of the calling thread's last libvirt error; never null, owned by libvirt. */
    String virGetLastErrorMessage();
}
