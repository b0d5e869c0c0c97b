namespace LockboxPortal.Features.Audit;

/// <summary>How a chain is broken at the first entry where verification fails.</summary>
public enum AuditBreakKind
{
    /// <summary>The entry's content no longer matches its hash, or it no longer links to the entry before it.</summary>
    Changed,

    /// <summary>The entry with this sequence number is gone.</summary>
    Missing,

    /// <summary>Entries are intact but stand in the wrong order (e.g. two were swapped).</summary>
    OutOfOrder,
}

/// <summary>The first place a chain breaks: the sequence number where the chain stops being trustworthy.</summary>
public sealed record AuditBreak(long Sequence, AuditBreakKind Kind, string Description)
{
    public override string ToString() => $"broken at entry {Sequence}: {Kind switch
    {
        AuditBreakKind.Changed => "changed",
        AuditBreakKind.Missing => "missing",
        AuditBreakKind.OutOfOrder => "out of order",
        _ => Kind.ToString(),
    }} ({Description})";
}

/// <summary>The outcome of verifying one chain; for a tenant's chain verified in the portal, its signed decisions too.</summary>
public sealed record AuditVerification(Guid ChainId, long EntryCount, AuditBreak? Break)
{
    /// <summary>The tenant's passkey-signed decisions checked against its trail and the requests as stored; null when not checked.</summary>
    public AccessRequests.Signing.SignedDecisionsVerification? SignedDecisions { get; init; }

    public bool IsIntact => Break is null && SignedDecisions is null or { IsIntact: true };

    public override string ToString() => (Break is null ? $"intact, {EntryCount} entries" : Break.ToString())
        + (SignedDecisions is null or { IsIntact: true, Checked: 0 } ? "" : $"; {SignedDecisions}");
}

/// <summary>
/// Recomputes a hash chain entry by entry and reports the first break. Pure and streaming: feed it the chain's
/// entries in sequence order with <see cref="Add"/> (it holds one entry of look-ahead), then call
/// <see cref="Complete"/>. Memory use does not grow with the chain.
/// </summary>
/// <remarks>
/// A moved entry still matches the hash of the position it was written at, which tells a swap from an edit;
/// the look-ahead tells a swap from a deletion hidden by renumbering. Removing entries from the very end of a chain leaves no gap to detect; compare the head
/// (last sequence and hash) with one recorded earlier for that (see docs/audit-trail.md).
/// </remarks>
public sealed class AuditVerifier(Guid chainId)
{
    /// <summary>How far from its position a moved entry is looked for (only at a break, so it costs nothing otherwise).</summary>
    private const int MoveWindow = 1000;

    private AuditEntry? _pending;
    private long _expected = 1;
    private string _previousHash = AuditEntry.GenesisHash;
    private long _count;
    private AuditBreak? _break;

    public Guid ChainId { get; } = chainId;

    /// <summary>True once a break was found; later entries are ignored.</summary>
    public bool IsBroken => _break is not null;

    public static AuditVerification Verify(Guid chainId, IEnumerable<AuditEntry> entries)
    {
        var verifier = new AuditVerifier(chainId);
        foreach (var entry in entries)
        {
            verifier.Add(entry);
            if (verifier.IsBroken)
            {
                break;
            }
        }

        return verifier.Complete();
    }

    public static async Task<AuditVerification> VerifyAsync(Guid chainId, IAsyncEnumerable<AuditEntry> entries, CancellationToken cancellationToken = default)
    {
        var verifier = new AuditVerifier(chainId);
        await foreach (var entry in entries.WithCancellation(cancellationToken))
        {
            verifier.Add(entry);
            if (verifier.IsBroken)
            {
                break;
            }
        }

        return verifier.Complete();
    }

    public void Add(AuditEntry entry)
    {
        if (_break is not null)
        {
            return;
        }

        if (_pending is not null)
        {
            Check(_pending, entry);
        }

        _pending = entry;
    }

    public AuditVerification Complete()
    {
        if (_pending is not null && _break is null)
        {
            Check(_pending, next: null);
        }

        _pending = null;
        return new AuditVerification(ChainId, _count, _break);
    }

    private void Check(AuditEntry entry, AuditEntry? next)
    {
        if (_break is not null)
        {
            return;
        }

        _break = Find(entry, next);
        if (_break is null)
        {
            _count++;
            _expected++;
            _previousHash = entry.Hash;
        }
    }

    private AuditBreak? Find(AuditEntry entry, AuditEntry? next)
    {
        var expected = _expected;
        if (entry.ChainId != ChainId)
        {
            return new(expected, AuditBreakKind.Changed, $"entry {entry.Sequence} belongs to another chain");
        }

        if (entry.Sequence < expected)
        {
            return new(expected, AuditBreakKind.OutOfOrder, $"found entry {entry.Sequence} where entry {expected} belongs");
        }

        if (entry.Sequence > expected)
        {
            return next is not null && next.Sequence == expected
                ? new(expected, AuditBreakKind.OutOfOrder, $"entry {expected} comes after entry {entry.Sequence}")
                : new(expected, AuditBreakKind.Missing, entry.Sequence == expected + 1
                    ? $"entry {expected} is missing"
                    : $"entries {expected} to {entry.Sequence - 1} are missing");
        }

        var contentIntact = string.Equals(entry.ComputeHash(), entry.Hash, StringComparison.Ordinal);
        var linked = string.Equals(entry.PreviousHash, _previousHash, StringComparison.Ordinal);
        if (contentIntact && linked)
        {
            return null;
        }

        if (contentIntact)
        {
            return new(expected, AuditBreakKind.Changed, expected == 1
                ? "the first entry does not start from the genesis hash"
                : $"its previous hash does not match entry {expected - 1}: an entry before it was replaced");
        }

        // An entry that was moved keeps the hash of the position it was written at.
        if (WrittenAs(entry, expected) is not { } writtenAs)
        {
            return new(expected, AuditBreakKind.Changed, "its content does not match its hash");
        }

        if (writtenAs < expected)
        {
            return new(expected, AuditBreakKind.OutOfOrder, $"the entry here was written as entry {writtenAs}");
        }

        // Moved up: either swapped (what follows is still in place, or is the entry it came after) or renumbered to hide a gap.
        var swapped = next is not null
            && (string.Equals(next.Hash, entry.PreviousHash, StringComparison.Ordinal) || string.Equals(next.ComputeHash(), next.Hash, StringComparison.Ordinal));
        return swapped
            ? new(expected, AuditBreakKind.OutOfOrder, $"the entry here was written as entry {writtenAs}")
            : new(expected, AuditBreakKind.Missing, $"entries {expected} to {writtenAs - 1} are missing and later entries were renumbered");
    }

    private static long? WrittenAs(AuditEntry entry, long position)
    {
        for (long distance = 1; distance <= MoveWindow; distance++)
        {
            if (string.Equals(entry.ComputeHashAs(position + distance), entry.Hash, StringComparison.Ordinal))
            {
                return position + distance;
            }

            if (position - distance >= 1 && string.Equals(entry.ComputeHashAs(position - distance), entry.Hash, StringComparison.Ordinal))
            {
                return position - distance;
            }
        }

        return null;
    }
}
