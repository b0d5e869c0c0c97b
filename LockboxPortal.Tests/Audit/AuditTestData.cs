using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Audit;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.Tests.Audit;

/// <summary>Builds chains and tampers with them the way someone holding the database (file or credentials) could.</summary>
internal static class AuditTestData
{
    /// <summary>Appends <paramref name="count"/> entries to a chain through the real writer, a second apart.</summary>
    public static async Task AppendAsync(ServiceHarness harness, Guid? tenantId, int count, string actorName = "Olga Officer")
    {
        var transactions = harness.Services.GetRequiredService<LockboxTransactions>();
        var trail = harness.Services.GetRequiredService<AuditWriter>();
        for (var i = 0; i < count; i++)
        {
            harness.Time.Advance(TimeSpan.FromSeconds(1));
            var record = new AuditRecord(
                AuditEventType.Policy_Changed, new Actor("officer-" + i % 3, actorName), tenantId, "Tenant", tenantId?.ToString() ?? "provider",
                AuditRecord.Details(new { Change = i, Note = "a \"quoted\", comma\nand newline ä" }), Client: new ClientInfo("10.0.0.1", "tests/1.0"));
            await transactions.RunAsync(db => trail.AppendAsync(db, record));
        }
    }

    public static async Task<AuditVerification> VerifyAsync(ServiceHarness harness, Guid chainId) =>
        await harness.Services.GetRequiredService<AuditReader>().VerifyAsync(chainId);

    /// <summary>The database refuses UPDATE and DELETE on audit entries; tampering starts by removing that guard.</summary>
    public static async Task DropGuardsAsync(ServiceHarness harness)
    {
        await using var db = harness.NewContext();
        await db.Database.ExecuteSqlRawAsync(db.Database.IsNpgsql()
            ? "DROP TRIGGER \"AuditEntries_NoUpdate\" ON \"AuditEntries\"; DROP TRIGGER \"AuditEntries_NoDelete\" ON \"AuditEntries\";"
            : "DROP TRIGGER AuditEntries_NoUpdate; DROP TRIGGER AuditEntries_NoDelete;");
    }

    public static async Task ChangeDetailsAsync(ServiceHarness harness, Guid chainId, long sequence, string details)
    {
        await using var db = harness.NewContext();
        var id = await IdOfAsync(db, chainId, sequence);
        await db.Database.ExecuteSqlAsync($"""UPDATE "AuditEntries" SET "DetailsJson" = {details} WHERE "Id" = {id}""");
    }

    public static async Task DeleteAsync(ServiceHarness harness, Guid chainId, long sequence)
    {
        await using var db = harness.NewContext();
        var id = await IdOfAsync(db, chainId, sequence);
        await db.Database.ExecuteSqlAsync($"""DELETE FROM "AuditEntries" WHERE "Id" = {id}""");
    }

    /// <summary>Exchanges the positions of two entries (through a free number, as the unique index demands).</summary>
    public static async Task SwapAsync(ServiceHarness harness, Guid chainId, long first, long second)
    {
        await using var db = harness.NewContext();
        var a = await IdOfAsync(db, chainId, first);
        var b = await IdOfAsync(db, chainId, second);
        await db.Database.ExecuteSqlAsync($"""UPDATE "AuditEntries" SET "Sequence" = -1 WHERE "Id" = {a}""");
        await db.Database.ExecuteSqlAsync($"""UPDATE "AuditEntries" SET "Sequence" = {first} WHERE "Id" = {b}""");
        await db.Database.ExecuteSqlAsync($"""UPDATE "AuditEntries" SET "Sequence" = {second} WHERE "Id" = {a}""");
    }

    /// <summary>
    /// The attack a hash chain alone does not catch: change entry <paramref name="from"/>, then recompute every later
    /// entry's previous hash and hash from the documented canonical form, so the chain verifies again.
    /// </summary>
    public static async Task RechainAsync(ServiceHarness harness, Guid chainId, long from, string details)
    {
        await ChangeDetailsAsync(harness, chainId, from, details);
        await using var db = harness.NewContext();
        var previous = from == 1
            ? AuditEntry.GenesisHash
            : await db.AuditEntries.Where(e => e.ChainId == chainId && e.Sequence == from - 1).Select(e => e.Hash).SingleAsync();
        var ids = await db.AuditEntries.Where(e => e.ChainId == chainId && e.Sequence >= from).OrderBy(e => e.Sequence).Select(e => e.Id).ToListAsync();
        foreach (var id in ids)
        {
            await db.Database.ExecuteSqlAsync($"""UPDATE "AuditEntries" SET "PreviousHash" = {previous} WHERE "Id" = {id}""");
            var hash = (await db.AuditEntries.AsNoTracking().SingleAsync(e => e.Id == id)).ComputeHash();
            await db.Database.ExecuteSqlAsync($"""UPDATE "AuditEntries" SET "Hash" = {hash} WHERE "Id" = {id}""");
            previous = hash;
        }
    }

    /// <summary>Removes the newest entries from <paramref name="from"/> on: no gap is left.</summary>
    public static async Task CutTailAsync(ServiceHarness harness, Guid chainId, long from)
    {
        await using var db = harness.NewContext();
        foreach (var id in await db.AuditEntries.Where(e => e.ChainId == chainId && e.Sequence >= from).Select(e => e.Id).ToListAsync())
        {
            await db.Database.ExecuteSqlAsync($"""DELETE FROM "AuditEntries" WHERE "Id" = {id}""");
        }
    }

    /// <summary>Someone who also removes the stored checkpoints (the tenant's own copy still has them).</summary>
    public static async Task DeleteCheckpointsAsync(ServiceHarness harness)
    {
        await using var db = harness.NewContext();
        await db.Database.ExecuteSqlRawAsync(db.Database.IsNpgsql()
            ? "DROP TRIGGER \"AuditCheckpoints_NoDelete\" ON \"AuditCheckpoints\"; DELETE FROM \"AuditCheckpoints\";"
            : "DROP TRIGGER AuditCheckpoints_NoDelete; DELETE FROM AuditCheckpoints;");
    }

    private static async Task<long> IdOfAsync(LockboxDbContext db, Guid chainId, long sequence) =>
        await db.AuditEntries.Where(e => e.ChainId == chainId && e.Sequence == sequence).Select(e => e.Id).SingleAsync();
}
