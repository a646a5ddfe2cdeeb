package org.xen2kvm.kmod;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Module dependencies as depmod computes them: from symbols, not from {@code depends=}. Each
 * exported symbol belongs to the last module (in module order) exporting it; a module depends on
 * the owners of its undefined symbols, in symbol-table order. Modules are then numbered by a
 * topological sort that starts from the modules nobody uses (Kahn's algorithm over a stack, as
 * depmod's), and a module's full dependency list is sorted by that number: users before what they
 * use, so modprobe, which reads the list backwards, loads dependencies first.
 */
final class DepmodOrder {
    private final List<KernelModule> modules;
    private final List<List<Integer>> direct;
    private final int[] sortIndex;

    /**
     * @param modules the modules in depmod's module order
     * @throws ModuleFormatException if the dependencies form a cycle (depmod refuses those too)
     */
    DepmodOrder(List<KernelModule> modules) throws ModuleFormatException {
        this.modules = modules;
        int n = modules.size();
        Map<String, Integer> owner = new HashMap<>();
        for (int i = 0; i < n; i++) {
            for (String sym : modules.get(i).info().exportedSymbols()) {
                owner.put(sym, i);
            }
        }
        direct = new ArrayList<>(n);
        int[] users = new int[n];
        for (int i = 0; i < n; i++) {
            Set<Integer> deps = new LinkedHashSet<>();
            for (String sym : modules.get(i).info().undefinedSymbols()) {
                Integer o = owner.get(sym.startsWith(".") ? sym.substring(1) : sym);
                if (o != null && o != i && deps.add(o)) {
                    users[o]++;
                }
            }
            direct.add(List.copyOf(deps));
        }
        sortIndex = new int[n];
        int[] stack = new int[n];
        int top = 0;
        for (int i = 0; i < n; i++) {
            if (users[i] == 0) {
                stack[top++] = i;
            }
        }
        int sorted = 0;
        while (top > 0) {
            int src = stack[--top];
            sortIndex[src] = sorted++;
            for (int dst : direct.get(src)) {
                if (--users[dst] == 0) {
                    stack[top++] = dst;
                }
            }
        }
        if (sorted < n) {
            List<String> inCycle = new ArrayList<>();
            for (int i = 0; i < n && inCycle.size() < 10; i++) {
                if (users[i] > 0) {
                    inCycle.add(modules.get(i).path());
                }
            }
            throw new ModuleFormatException("module dependencies form a cycle among " + (n - sorted)
                    + " modules, including " + String.join(", ", inCycle));
        }
    }

    /** Indexes of the modules {@code i} uses directly, in the order depmod found them. */
    List<Integer> direct(int i) {
        return direct.get(i);
    }

    /** Every module {@code i} needs, directly or not, in modules.dep order (users before what they use). */
    List<Integer> all(int i) {
        Set<Integer> seen = new LinkedHashSet<>();
        List<Integer> work = new ArrayList<>(direct.get(i));
        while (!work.isEmpty()) {
            int d = work.remove(work.size() - 1);
            if (seen.add(d)) {
                work.addAll(direct.get(d));
            }
        }
        Integer[] out = seen.toArray(new Integer[0]);
        Arrays.sort(out, (a, b) -> Integer.compare(sortIndex[a], sortIndex[b]));
        return List.of(out);
    }

    List<KernelModule> modules() {
        return modules;
    }
}
