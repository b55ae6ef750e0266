package org.meshchain.merkle;

import java.util.List;

/** The entries of a path range, in path order, and the proof that no entry of the range is missing. */
public record SmtRange(List<SmtEntry> entries, SmtRangeProof proof) {

    public SmtRange {
        entries = List.copyOf(entries);
    }
}
