package org.meshchain.node.execution;

import java.util.List;
import java.util.concurrent.CompletionStage;
import org.meshchain.core.types.Block;

/**
 * Executes proposed blocks (DESIGN 4): votes certify post-state roots, so a block is executed when
 * proposed, on top of a parent that may not be committed yet. The pre-state of {@code block} is the
 * committed state overlaid by {@code uncommittedAncestors} (oldest first: the executed blocks between
 * the committed head and {@code block}). Results are deterministic: bit-identical on every node for
 * every executor count.
 */
public interface BlockExecutor {

    CompletionStage<ExecutedBlock> execute(Block block, List<ExecutedBlock> uncommittedAncestors);
}
