package org.xen2kvm.kmod;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Cases checked against glibc's fnmatch(3) with flags 0 (python3 -c 'import ctypes...'). */
class FnmatchTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "virtio:d00000002v*|virtio:d00000002v00001AF4|true",
        "virtio:d00000002v*|virtio:d00000012v00001AF4|false",
        "pci:v00001AF4d00001001sv*sd*bc*sc*i*|pci:v00001AF4d00001001sv00001AF4sd00000002bc01sc00i00|true",
        "pci:v*d*sv*sd*bc01sc08i02*|pci:v00008086d00000953sv*sd*bc01sc08i02|true",
        "a?c|abc|true",
        "a?c|ac|false",
        "[abc]x|bx|true",
        "[!abc]x|bx|false",
        "[^abc]x|dx|true",
        "[a-f]1|e1|true",
        "[a-f]1|g1|false",
        "[]]|]|true",
        "[[:digit:]]z|7z|true",
        "[[:xdigit:]][[:upper:]]|fA|true",
        "\\*|*|true",
        "\\*|a|false",
        "[abc|[abc|true",
        "*a*a*a*a*a*a*a*b|aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa|false",
        "*|''|true",
        "a*/b|a/x/b|true",
        ".*|.hidden|true",
    })
    void matchesAsGlibc(String pattern, String s, boolean expected) {
        assertEquals(expected, Fnmatch.matches(pattern, s.equals("''") ? "" : s), pattern + " vs " + s);
    }
}
