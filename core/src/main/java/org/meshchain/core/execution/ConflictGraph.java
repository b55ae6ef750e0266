package org.meshchain.core.execution;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.meshchain.core.crypto.Hash32;

/**
 * The conflict DAG of a block (DESIGN 4): an edge i → j (i before j in the block) whenever j must run
 * after i. Every conflicting pair is ordered in block order by a path of edges, so two transactions that
 * are ready at the same time never conflict, and running ready transactions in any order or in parallel
 * yields the serial result.
 *
 * <p>Built in one pass with, per path, the last writer and the readers since it: a read depends on the
 * last writer; a write depends on the last writer and on every read since it. That is O(total keys +
 * edges), and keeps edges few: a chain of writers to a hot key is a chain, not a clique.
 */
public final class ConflictGraph {

    private final int[][] successors;
    private final int[] predecessorCount;

    private ConflictGraph(int[][] successors, int[] predecessorCount) {
        this.successors = successors;
        this.predecessorCount = predecessorCount;
    }

    public static ConflictGraph build(List<AccessSets.TxAccess> accesses) {
        int n = accesses.size();
        Map<Hash32, Integer> lastWriter = new HashMap<>();
        Map<Hash32, List<Integer>> readersSinceWrite = new HashMap<>();
        List<List<Integer>> succ = new ArrayList<>(n);
        int[] preds = new int[n];
        int[] lastEdgeFrom = new int[n];
        Arrays.fill(lastEdgeFrom, -1);
        for (int j = 0; j < n; j++) {
            succ.add(new ArrayList<>(2));
            AccessSets.TxAccess a = accesses.get(j);
            // distinct predecessors of j: de-duplicated through a per-predecessor stamp
            List<Integer> mine = new ArrayList<>();
            for (Hash32 r : a.reads()) {
                if (a.writes().contains(r)) {
                    continue; // handled as a write
                }
                Integer w = lastWriter.get(r);
                if (w != null) {
                    mine.add(w);
                }
            }
            for (Hash32 k : a.writes()) {
                Integer w = lastWriter.get(k);
                if (w != null) {
                    mine.add(w);
                }
                List<Integer> readers = readersSinceWrite.get(k);
                if (readers != null) {
                    mine.addAll(readers);
                }
            }
            for (int i : mine) {
                if (i != j && lastEdgeFrom[i] != j) {
                    lastEdgeFrom[i] = j;
                    succ.get(i).add(j);
                    preds[j]++;
                }
            }
            for (Hash32 r : a.reads()) {
                if (!a.writes().contains(r)) {
                    readersSinceWrite.computeIfAbsent(r, x -> new ArrayList<>()).add(j);
                }
            }
            for (Hash32 k : a.writes()) {
                lastWriter.put(k, j);
                readersSinceWrite.remove(k);
            }
        }
        int[][] successors = new int[n][];
        for (int i = 0; i < n; i++) {
            successors[i] = succ.get(i).stream().mapToInt(Integer::intValue).toArray();
        }
        return new ConflictGraph(successors, preds);
    }

    public int size() {
        return successors.length;
    }

    /** Transactions that must wait for {@code i} (all after it in the block). */
    public int[] successors(int i) {
        return successors[i];
    }

    /** Number of transactions {@code j} waits for. */
    public int predecessorCount(int j) {
        return predecessorCount[j];
    }

    /** Length of the longest dependency chain (1 for a block without conflicts, 0 when empty). */
    public int criticalPathLength() {
        int n = size();
        int[] depth = new int[n];
        int longest = 0;
        for (int i = 0; i < n; i++) {
            depth[i] = Math.max(depth[i], 1);
            longest = Math.max(longest, depth[i]);
            for (int s : successors[i]) {
                depth[s] = Math.max(depth[s], depth[i] + 1);
            }
        }
        return longest;
    }
}
