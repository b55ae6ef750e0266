package org.meshchain.deploy;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;
import org.meshchain.persistence.snapshot.SnapshotProgress;

/**
 * A terminal progress bar for long commands: done/total, bytes, rate and ETA. On a terminal it
 * redraws one line (at most every 100 ms); otherwise (logs, CI) it prints a line every 2 s.
 */
final class ProgressBar implements SnapshotProgress {

    private static final int WIDTH = 30;

    private final PrintWriter out;
    private final String label;
    private final boolean interactive;
    private final LongSupplier nanoClock;
    private final long startNanos;
    private long lastDrawNanos = Long.MIN_VALUE;

    ProgressBar(PrintWriter out, String label, boolean interactive, LongSupplier nanoClock) {
        this.out = out;
        this.label = label;
        this.interactive = interactive;
        this.nanoClock = nanoClock;
        this.startNanos = nanoClock.getAsLong();
    }

    static ProgressBar onStderr(PrintWriter err, String label) {
        return new ProgressBar(err, label, System.console() != null, System::nanoTime);
    }

    @Override
    public void chunkDone(int chunksDone, int chunksTotal, long bytesDone) {
        long now = nanoClock.getAsLong();
        boolean last = chunksDone >= chunksTotal;
        long interval = interactive ? 100_000_000L : 2_000_000_000L;
        if (!last && lastDrawNanos != Long.MIN_VALUE && now - lastDrawNanos < interval) {
            return;
        }
        lastDrawNanos = now;
        String line = render(chunksDone, chunksTotal, bytesDone, now - startNanos);
        if (interactive) {
            out.print("\r" + line + (last ? "\n" : ""));
        } else {
            out.println(line);
        }
        out.flush();
    }

    String render(int done, int total, long bytes, long elapsedNanos) {
        double fraction = total == 0 ? 1 : (double) done / total;
        int filled = (int) Math.round(fraction * WIDTH);
        double seconds = Math.max(elapsedNanos / 1e9, 1e-9);
        double rate = bytes / seconds;
        String eta = done == 0 ? "--:--" : clock(seconds * (total - done) / done);
        return String.format(Locale.ROOT, "%s [%s%s] %3d%% %d/%d chunks %s %s/s ETA %s", label, "#".repeat(filled),
                ".".repeat(WIDTH - filled), Math.round(fraction * 100), done, total, size(bytes), size((long) rate), eta);
    }

    static String size(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
        }
        if (bytes >= 1L << 20) {
            return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
        }
        return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }

    private static String clock(double seconds) {
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }
}
