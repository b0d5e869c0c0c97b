using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Audit;

namespace LockboxPortal.Tests.Audit;

/// <summary>The pure verifier, over chains built in memory.</summary>
public sealed class AuditVerifierTests
{
    private static readonly Guid Chain = Guid.Parse("c0a70500-0000-4000-8000-000000000001");
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    internal static List<AuditEntry> BuildChain(int count, Guid? chain = null, string details = "{}")
    {
        var chainId = chain ?? Chain;
        var entries = new List<AuditEntry>();
        var previous = AuditEntry.GenesisHash;
        for (var i = 1; i <= count; i++)
        {
            var record = new AuditRecord(AuditEventType.Policy_Changed, new Actor("u" + i, "User " + i), chainId, "Tenant", chainId.ToString(), details);
            var entry = new AuditEntry(chainId, i, Start.AddSeconds(i), record, previous);
            entries.Add(entry);
            previous = entry.Hash;
        }

        return entries;
    }

    private static AuditEntry Rewrite(AuditEntry entry, long sequence, string? details = null, string? previousHash = null) =>
        new(entry.ChainId, sequence, entry.OccurredAt,
            new AuditRecord(entry.EventType, new Actor(entry.ActorId, entry.ActorName), entry.TenantId, entry.SubjectType, entry.SubjectId, details ?? entry.DetailsJson),
            previousHash ?? entry.PreviousHash);

    [Fact]
    public void Verify_IntactChain_ReportsIntactWithCount()
    {
        var result = AuditVerifier.Verify(Chain, BuildChain(25));

        Assert.True(result.IsIntact);
        Assert.Equal(25, result.EntryCount);
        Assert.Equal("intact, 25 entries", result.ToString());
    }

    [Fact]
    public void Verify_EmptyChain_IsIntactWithNoEntries()
    {
        Assert.Equal("intact, 0 entries", AuditVerifier.Verify(Chain, []).ToString());
    }

    [Fact]
    public void Verify_EntryFromAnotherChain_IsChanged()
    {
        var entries = BuildChain(3);
        entries[1] = BuildChain(3, Guid.NewGuid())[1];

        var result = AuditVerifier.Verify(Chain, entries);

        Assert.Equal(new AuditBreak(2, AuditBreakKind.Changed, result.Break!.Description), result.Break);
    }

    [Fact]
    public void Verify_EntryRewrittenWithFreshHash_IsCaughtAtTheNextLink()
    {
        var entries = BuildChain(5);
        entries[2] = Rewrite(entries[2], 3, details: "{\"forged\":true}");

        var result = AuditVerifier.Verify(Chain, entries);

        Assert.Equal(4, result.Break!.Sequence);
        Assert.Equal(AuditBreakKind.Changed, result.Break.Kind);
    }

    [Fact]
    public void Verify_FirstEntryNotFromGenesis_IsChanged()
    {
        var entries = BuildChain(2);
        entries[0] = Rewrite(entries[0], 1, previousHash: new string('a', 64));

        var result = AuditVerifier.Verify(Chain, entries);

        Assert.Equal(1, result.Break!.Sequence);
        Assert.Equal(AuditBreakKind.Changed, result.Break.Kind);
    }

    [Fact]
    public void Verify_EntriesListedInSwappedOrder_IsOutOfOrder()
    {
        var entries = BuildChain(6);
        (entries[2], entries[3]) = (entries[3], entries[2]);

        var result = AuditVerifier.Verify(Chain, entries);

        Assert.Equal(new AuditBreak(3, AuditBreakKind.OutOfOrder, result.Break!.Description), result.Break);
    }

    [Fact]
    public void Verify_EntryRepeated_IsOutOfOrder()
    {
        var entries = BuildChain(4);
        entries.Insert(2, entries[1]);

        var result = AuditVerifier.Verify(Chain, entries);

        Assert.Equal(3, result.Break!.Sequence);
        Assert.Equal(AuditBreakKind.OutOfOrder, result.Break.Kind);
    }

    [Fact]
    public void Verify_DeletionHiddenByRenumbering_IsMissing()
    {
        var entries = BuildChain(6);
        entries.RemoveAt(2);
        for (var i = 2; i < entries.Count; i++)
        {
            // Renumber without re-hashing: what an UPDATE ... SET Sequence = Sequence - 1 leaves behind.
            var moved = entries[i];
            var renumbered = Rewrite(moved, i + 1);
            typeof(AuditEntry).GetProperty(nameof(AuditEntry.Hash))!.SetValue(renumbered, moved.Hash);
            entries[i] = renumbered;
        }

        var result = AuditVerifier.Verify(Chain, entries);

        Assert.Equal(new AuditBreak(3, AuditBreakKind.Missing, result.Break!.Description), result.Break);
    }

    [Fact]
    public void Verifier_StopsAtTheFirstBreak()
    {
        var entries = BuildChain(6);
        entries.RemoveAt(1);
        entries.RemoveAt(3);

        var result = AuditVerifier.Verify(Chain, entries);

        Assert.Equal(2, result.Break!.Sequence);
        Assert.Equal(1, result.EntryCount);
        Assert.Equal("broken at entry 2: missing (entry 2 is missing)", result.ToString());
    }
}
