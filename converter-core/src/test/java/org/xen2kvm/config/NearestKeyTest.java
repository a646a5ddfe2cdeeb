package org.xen2kvm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NearestKeyTest {
    private static final List<String> KEYS = List.of("memory", "maxmem", "vcpus", "maxvcpus", "name", "vif", "vfb");

    @Test
    void swapOfAdjacentLettersIsOneEdit() {
        assertEquals(1, NearestKey.distance("memroy", "memory"));
        assertEquals(Optional.of("memory"), NearestKey.of("memroy", KEYS));
        assertEquals(Optional.of("vcpus"), NearestKey.of("vpcus", KEYS));
    }

    @Test
    void insertionsDeletionsAndSubstitutionsCount() {
        assertEquals(1, NearestKey.distance("maxvcpu", "maxvcpus"));
        assertEquals(2, NearestKey.distance("vcpsx", "vcpus"));
        assertEquals(Optional.of("maxvcpus"), NearestKey.of("maxvcpu", KEYS));
        assertEquals(3, NearestKey.distance("", "vif"));
    }

    @Test
    void nothingCloseGivesNoSuggestion() {
        assertEquals(Optional.empty(), NearestKey.of("home", KEYS));
        assertEquals(Optional.empty(), NearestKey.of("bootloader", KEYS));
        // Short keys need a closer match: 'vxx' is two edits from 'vif' and 'vfb', too far for 3 letters.
        assertEquals(Optional.empty(), NearestKey.of("vxx", KEYS));
    }

    @Test
    void tiesGoToTheAlphabeticallyFirstKey() {
        assertEquals(Optional.of("vfb"), NearestKey.of("vib", KEYS));
    }
}
