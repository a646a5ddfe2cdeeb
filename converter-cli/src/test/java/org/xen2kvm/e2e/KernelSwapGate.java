package org.xen2kvm.e2e;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Keeps the {@link KernelSwap} tests out of a normal run, loudly: they boot guests the
 * converter cannot fix yet, so today they can only fail and cost minutes of TCG boots.
 * Disabled tests are reported as skipped with the reason, and the reason is printed too, so
 * nobody mistakes their absence for a pass.
 */
final class KernelSwapGate implements ExecutionCondition {
    static final String PROPERTY = "xen2kvm.kernelSwap";
    static final String ENVIRONMENT = "XEN2KVM_KERNEL_SWAP";

    static boolean enabled() {
        return "true".equals(System.getProperty(PROPERTY)) || "true".equals(System.getenv(ENVIRONMENT));
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (context.getTestMethod().isEmpty()) {
            return ConditionEvaluationResult.enabled("class level: decided per test");
        }
        String test = context.getRequiredTestClass().getSimpleName() + "." + context.getRequiredTestMethod().getName();
        if (enabled()) {
            return ConditionEvaluationResult.enabled(test + ": kernel swap tests enabled (-D" + PROPERTY + "=true)");
        }
        String why = test + " NOT RUN: a kernel-swap test, expected to fail until xen2kvm installs kernels and "
                + "rebuilds initramfs images (issue 11); run it with -D" + PROPERTY + "=true or " + ENVIRONMENT
                + "=true";
        System.out.println("[kernel-swap] " + why);
        return ConditionEvaluationResult.disabled(why);
    }
}
