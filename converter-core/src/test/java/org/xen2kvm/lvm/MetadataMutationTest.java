package org.xen2kvm.lvm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.xen2kvm.image.BlockDevice;
import org.xen2kvm.image.ByteArrayBlockDevice;

/**
 * Mutated metadata text (the checksum would catch it on disk, but a matching checksum is cheap
 * for an attacker): the parser and the model fail only with the named LVM exceptions, never an
 * unchecked one, and never hand out a device whose reads leave its PVs.
 */
class MetadataMutationTest {
    private static final String SPECIALS = "{}[]=\",#\\\n-0123456789 ";

    @Test
    void mutatedTextFailsOnlyWithNamedExceptions() throws Exception {
        String base;
        try (InputStream in = getClass().getResourceAsStream("vg-refused.txt")) {
            base = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("origin = \"LogVol00\"", "origin = \"x\"");
        }
        BlockDevice pv = new ByteArrayBlockDevice(new byte[100 << 20], "xvda2");
        Random r = new Random(12);
        int parsed = 0;
        for (int i = 0; i < 3000; i++) {
            StringBuilder t = new StringBuilder(base);
            for (int k = 1 + r.nextInt(3); k > 0; k--) {
                int at = r.nextInt(t.length());
                switch (r.nextInt(3)) {
                    case 0 -> t.setCharAt(at, SPECIALS.charAt(r.nextInt(SPECIALS.length())));
                    case 1 -> t.deleteCharAt(at);
                    default -> t.insert(at, r.nextBoolean() ? "9999999999" : String.valueOf(SPECIALS.charAt(r.nextInt(SPECIALS.length()))));
                }
            }
            try {
                MetadataValue.Section top = MetadataParser.parse("m", t.toString());
                VolumeGroup vg = VolumeGroupReader.read("m", VolumeGroupReader.vgSection("m", top),
                        Map.of("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", pv));
                parsed++;
                for (String lv : vg.logicalVolumes().keySet()) {
                    try {
                        BlockDevice d = vg.openVolume(lv);
                        if (d.size() > 0) {
                            d.readBytes(d.size() - 1, 1);
                            d.readBytes(0, 1);
                        }
                    } catch (UnsupportedLvmException | LvmFormatException expected) {
                        // named refusal
                    }
                }
            } catch (LvmFormatException expected) {
                // named error
            } catch (RuntimeException e) {
                throw new AssertionError("mutation " + i + " escaped as " + e + ":\n" + t, e);
            }
        }
        assertTrue(parsed > 100, "too few mutations parsed to test the model: " + parsed);
    }
}
