package org.xen2kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WarmUpTest {
    static final AtomicInteger INITIALIZED = new AtomicInteger();

    static final class Lazy {
        static {
            INITIALIZED.incrementAndGet();
        }
    }

    static final class Broken {
        static {
            if (INITIALIZED.get() >= 0) {
                throw new IllegalStateException("static initializer fails");
            }
        }
    }

    @Test
    void initializeRunsStaticInitializersOnceAndSwallowsFailures() throws Exception {
        int before = INITIALIZED.get();
        WarmUp.initialize(Broken.class, Lazy.class, Lazy.class);
        assertEquals(before + 1, INITIALIZED.get(), "Lazy initialized exactly once, after Broken failed");

        CountDownLatch ran = new CountDownLatch(1);
        String[] thread = new String[1];
        WarmUp.inBackground(() -> {
            thread[0] = Thread.currentThread().getName() + (Thread.currentThread().isDaemon() ? " daemon" : "");
            ran.countDown();
        });
        assertTrue(ran.await(10, TimeUnit.SECONDS));
        assertEquals("xen2kvm-warm-up daemon", thread[0]);
    }
}
