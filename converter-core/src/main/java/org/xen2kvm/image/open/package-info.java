/**
 * Opening a guest disk: probes or trusts the declared format, picks the decoder
 * ({@code disk.qcow}, {@code disk.qcow2}, {@code disk.vhd}, raw) and resolves backing chains
 * under the format-safety rules. Kept apart from {@code org.xen2kvm.disk} so the decoders
 * depend on the block-device layer and not the other way round.
 */
package org.xen2kvm.image.open;
