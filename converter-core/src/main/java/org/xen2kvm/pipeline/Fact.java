package org.xen2kvm.pipeline;

/**
 * A typed key for something a step produces: the source guest, the plan, the open disks.
 *
 * @param name for the message when a step asks for a fact no earlier step produced
 */
public record Fact<T>(String name, Class<T> type) {
}
