package org.xen2kvm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.xen2kvm.CancelledException;

/** Which commands undo themselves on a signal, their exit status and their one line. */
class InterruptsTest {

    @Test
    void onlyTheCommandsThatWriteWaitForTheirUndo() {
        assertTrue(Interrupts.undoable("convert", "guest.cfg"));
        assertTrue(Interrupts.undoable("-v", "convert", "--dry-run", "guest.cfg"));
        assertTrue(Interrupts.undoable("disk", "convert", "a.img", "b.qcow2"));
        assertTrue(Interrupts.undoable("plan", "run", "host.yaml"));
        assertFalse(Interrupts.undoable("disk", "info", "a.img"));
        assertFalse(Interrupts.undoable("plan", "status", "host.yaml"));
        assertFalse(Interrupts.undoable("inspect", "guest.cfg"));
        assertFalse(Interrupts.undoable("--version"));
        assertFalse(Interrupts.undoable("--", "convert"));
    }

    @Test
    void exitStatusIs128PlusTheSignal() {
        assertEquals(130, Interrupts.exitCode("SIGINT"));
        assertEquals(143, Interrupts.exitCode("SIGTERM"));
    }

    @Test
    void theLineSaysWhetherEverythingWasRemoved() {
        CancelledException e = new CancelledException("SIGTERM", "copying vdc");
        assertEquals("interrupted (SIGTERM); removed what this run wrote", Interrupts.message(e, e));
        e.addSuppressed(new IOException("/out/x.qcow2: Permission denied"));
        assertEquals("interrupted (SIGTERM); could not remove all this run wrote: /out/x.qcow2: Permission denied",
                Interrupts.message(e, e));
    }
}
