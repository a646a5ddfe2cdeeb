package org.xen2kvm.e2e;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test of the kernel swap (issue 11), EXPECTED TO FAIL until the converter installs
 * kernels and rebuilds initramfs images. It runs only with {@code -Dxen2kvm.kernelSwap=true}
 * (or {@code XEN2KVM_KERNEL_SWAP=true}); otherwise {@link KernelSwapGate} disables it and
 * prints why. Tagged {@value #TAG}, so {@code -Dgroups=kernel-swap} selects exactly these.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Test
@Tag(KernelSwap.TAG)
@ExtendWith(KernelSwapGate.class)
@interface KernelSwap {
    String TAG = "kernel-swap";
}
