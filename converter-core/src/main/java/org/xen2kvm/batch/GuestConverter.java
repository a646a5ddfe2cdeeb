package org.xen2kvm.batch;

import java.util.List;
import org.xen2kvm.pipeline.ConversionListener;
import org.xen2kvm.pipeline.ConversionResult;

/**
 * Turns a {@code convert} command line into a conversion. The CLI provides it (it owns the
 * options), so a new convert option works in plans without any change here.
 */
public interface GuestConverter {
    /**
     * Checks {@code args} without converting anything.
     *
     * @throws BadPlanException naming the option that is wrong
     */
    void check(String guest, List<String> args);

    /** Converts (or, with {@code --dry-run} among the args, plans) one guest. */
    ConversionResult convert(List<String> args, ConversionListener listener) throws Exception;
}
