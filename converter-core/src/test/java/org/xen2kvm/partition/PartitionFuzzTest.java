package org.xen2kvm.partition;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Optional;
import org.xen2kvm.image.BlockDevice;
import org.xen2kvm.image.ByteArrayBlockDevice;
import org.xen2kvm.testutil.Fuzz;

/**
 * Jazzer fuzz target for the MBR (with extended/logical chains) and GPT reader: read the
 * table of a fuzzed disk and each partition's first and last sector. A corrupt table may only
 * be refused with an {@link IOException} ({@link PartitionTableException}).
 */
class PartitionFuzzTest {

    @FuzzTest(maxDuration = Fuzz.CI_DURATION)
    void table(byte[] data) throws Exception {
        Fuzz.expect(() -> {
            BlockDevice disk = new ByteArrayBlockDevice(data, "fuzz.img");
            Optional<PartitionTable> table = PartitionTable.read(disk);
            if (table.isEmpty()) {
                return;
            }
            for (Partition p : table.get().partitions()) {
                BlockDevice part = table.get().open(disk, p);
                if (part.size() >= 512) {
                    part.read(0, ByteBuffer.allocate(512));
                    part.read(part.size() - 512, ByteBuffer.allocate(512));
                }
            }
        }, IOException.class);
    }
}
