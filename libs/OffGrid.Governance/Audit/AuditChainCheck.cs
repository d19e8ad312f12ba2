namespace OffGrid.Governance.Audit;

/// <summary>
/// Verification of an audit chain read in storage order, one entry at a time: seals and links as entries arrive, then order
/// (entries off the longest increasing run of sequences were moved) and completeness (gaps were deleted) at the end.
/// </summary>
/// <remarks>Memory: one sequence number per entry. Not thread-safe; one check per verification.</remarks>
internal sealed class AuditChainCheck(long firstSequence, string anchorHash)
{
    private readonly List<long> _order = [];
    private readonly HashSet<long> _seen = [];
    private readonly List<AuditProblem> _problems = [];
    private AuditEntry? _previous;
    private bool _previousSealed;

    public long Count { get; private set; }

    /// <summary>Gets the highest sequence among entries whose seal holds (an edited sequence number is not trusted).</summary>
    public long MaxSequence { get; private set; }

    public void Add(AuditEntry entry, bool sealHolds)
    {
        Count++;
        long sequence = entry.Sequence;
        if (!sealHolds)
        {
            _problems.Add(new AuditProblem(AuditProblemKind.Changed, sequence, $"Entry {sequence} was changed: its content does not match its seal."));
        }

        if (sequence < firstSequence)
        {
            _problems.Add(new AuditProblem(AuditProblemKind.Inserted, sequence, $"Entry {sequence} precedes the start of the chain ({firstSequence})."));
        }
        else if (!_seen.Add(sequence))
        {
            _problems.Add(new AuditProblem(AuditProblemKind.Inserted, sequence, $"Entry {sequence} appears more than once."));
        }
        else
        {
            _order.Add(sequence);
        }

        if (sealHolds)
        {
            string? expected = sequence == firstSequence ? anchorHash
                : _previous is { } previous && _previousSealed && previous.Sequence == sequence - 1 ? previous.Hash
                : null;
            if (expected is not null && expected != entry.PreviousHash)
            {
                _problems.Add(new AuditProblem(
                    AuditProblemKind.Changed, sequence, $"Entry {sequence} does not follow entry {sequence - 1}: the link between them is broken."));
            }

            MaxSequence = Math.Max(MaxSequence, sequence);
        }

        _previous = entry;
        _previousSealed = sealHolds;
    }

    /// <summary>Adds the order and completeness findings, given the last sequence the chain should reach.</summary>
    public IReadOnlyList<AuditProblem> Finish(long lastSequence)
    {
        foreach (long moved in OffLongestIncreasingRun(_order))
        {
            _problems.Add(new AuditProblem(AuditProblemKind.Reordered, moved, $"Entry {moved} was moved: it is stored out of its place in the chain."));
        }

        long expected = firstSequence;
        foreach (long present in _seen.Where(s => s <= lastSequence).Order().Append(lastSequence + 1))
        {
            if (present > expected)
            {
                _problems.Add(new AuditProblem(
                    AuditProblemKind.Deleted,
                    expected,
                    present - 1 == expected ? $"Entry {expected} was deleted." : $"Entries {expected} to {present - 1} were deleted."));
            }

            expected = Math.Max(expected, present + 1);
        }

        return _problems;
    }

    /// <summary>The sequences not on one longest strictly increasing subsequence (patience sorting, O(n log n)).</summary>
    private static IEnumerable<long> OffLongestIncreasingRun(List<long> order)
    {
        var tails = new List<int>();
        int[] parent = new int[order.Count];
        for (int i = 0; i < order.Count; i++)
        {
            int lo = 0, hi = tails.Count;
            while (lo < hi)
            {
                int mid = (lo + hi) / 2;
                if (order[tails[mid]] < order[i])
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            parent[i] = lo > 0 ? tails[lo - 1] : -1;
            if (lo == tails.Count)
            {
                tails.Add(i);
            }
            else
            {
                tails[lo] = i;
            }
        }

        var onRun = new bool[order.Count];
        for (int i = tails.Count > 0 ? tails[^1] : -1; i >= 0; i = parent[i])
        {
            onRun[i] = true;
        }

        for (int i = 0; i < order.Count; i++)
        {
            if (!onRun[i])
            {
                yield return order[i];
            }
        }
    }
}
