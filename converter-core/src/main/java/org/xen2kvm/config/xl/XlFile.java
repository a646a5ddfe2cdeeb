package org.xen2kvm.config.xl;

import java.util.List;
import java.util.Map;

/**
 * The parsed assignments of an xl/xm file, one effective setting per key in first-seen
 * order, plus what the syntax told about the dialect.
 *
 * @param xlOnlySyntax the file used syntax only xl understands ({@code +=})
 * @param xmOnlySyntax the file used syntax only Python/xm understands (triple quotes)
 */
public record XlFile(String fileName, Map<String, XlSetting> settings, List<String> warnings,
                     boolean xlOnlySyntax, boolean xmOnlySyntax) {
}
