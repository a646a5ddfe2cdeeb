package org.xen2kvm.libvirt;

import org.libvirt.Library;
import org.libvirt.LibvirtException;

/**
 * Runs libvirt's default event loop on one daemon thread for the whole process.
 *
 * <p>Why: on a remote (daemon) connection, console data is only read off the socket by the
 * event loop; without it a non-blocking stream never sees any. The loop must be registered
 * before the connection that carries the stream is opened.
 */
final class EventLoop {
    private static boolean started;

    private EventLoop() {
    }

    static synchronized void ensureRunning() {
        if (started) {
            return;
        }
        try {
            Library.initEventLoop();
        } catch (LibvirtException e) {
            throw new LibvirtRegistrationException(
                    "libvirt: cannot register the default event loop: " + e.getError().getMessage(), e);
        }
        Thread thread = new Thread(EventLoop::run, "libvirt-event-loop");
        thread.setDaemon(true);
        thread.start();
        started = true;
    }

    private static void run() {
        while (true) {
            try {
                Library.processEvent();
            } catch (LibvirtException e) {
                // One failed iteration (e.g. an interrupted poll) must not stop console I/O for
                // every later domain; back off briefly and go on.
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }
}
