package org.meshchain.core.consensus.sim;

/** Manual runner: java ... SimMain fromSeed count durationMs. */
public final class SimMain {
    private SimMain() {
    }

    public static void main(String[] args) {
        long from = Long.parseLong(args[0]);
        int count = Integer.parseInt(args[1]);
        long duration = Long.parseLong(args[2]);
        long t0 = System.nanoTime();
        boolean verbose = args.length > 3;
        long bad = java.util.stream.LongStream.range(from, from + count).parallel().filter(s -> {
            SimResult r = new Simulation(SimParams.fromSeed(s, duration)).run();
            if (!r.ok() || verbose) {
                System.out.println(r);
            }
            return !r.ok();
        }).count();
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.printf("%d seeds, %d violating, %.1f s, %.1f seeds/s%n", count, bad, secs, count / secs);
    }
}
