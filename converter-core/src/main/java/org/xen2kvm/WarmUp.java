package org.xen2kvm;

/**
 * Loads and initializes classes ahead of their first use. A short command spends a good
 * part of its run loading classes; a command line that knows early which stages it will
 * run can have them loaded on a spare CPU while it is still parsing its arguments.
 */
public final class WarmUp {
    private WarmUp() {
    }

    /** Initializes each class (loading it first); a class that fails is left for its real first use to report. */
    public static void initialize(Class<?>... classes) {
        for (Class<?> c : classes) {
            try {
                Class.forName(c.getName(), true, c.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                // Not an error here: the code that needs the class meets the same problem and says so.
            }
        }
    }

    /**
     * Runs {@code task} on a background daemon thread and returns at once. The thread never
     * holds up the exit of the program.
     */
    public static void inBackground(Runnable task) {
        Thread t = new Thread(task, "xen2kvm-warm-up");
        t.setDaemon(true);
        t.start();
    }
}
