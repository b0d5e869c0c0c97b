using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Audit;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.Tests.Audit;

/// <summary>Builds chains and tampers with them the way someone holding the database file could.</summary>
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
    public static async Task DropGuardsAsync(string databasePath)
    {
        await using var db = Open(databasePath);
        await db.Database.ExecuteSqlRawAsync("DROP TRIGGER AuditEntries_NoUpdate; DROP TRIGGER AuditEntries_NoDelete;");
    }

    public static async Task ChangeDetailsAsync(string databasePath, Guid chainId, long sequence, string details)
    {
        await using var db = Open(databasePath);
        var id = await IdOfAsync(db, chainId, sequence);
        await db.Database.ExecuteSqlAsync($"UPDATE AuditEntries SET DetailsJson = {details} WHERE Id = {id}");
    }

    public static async Task DeleteAsync(string databasePath, Guid chainId, long sequence)
    {
        await using var db = Open(databasePath);
        var id = await IdOfAsync(db, chainId, sequence);
        await db.Database.ExecuteSqlAsync($"DELETE FROM AuditEntries WHERE Id = {id}");
    }

    /// <summary>Exchanges the positions of two entries (through a free number, as the unique index demands).</summary>
    public static async Task SwapAsync(string databasePath, Guid chainId, long first, long second)
    {
        await using var db = Open(databasePath);
        var a = await IdOfAsync(db, chainId, first);
        var b = await IdOfAsync(db, chainId, second);
        await db.Database.ExecuteSqlAsync($"UPDATE AuditEntries SET Sequence = -1 WHERE Id = {a}");
        await db.Database.ExecuteSqlAsync($"UPDATE AuditEntries SET Sequence = {first} WHERE Id = {b}");
        await db.Database.ExecuteSqlAsync($"UPDATE AuditEntries SET Sequence = {second} WHERE Id = {a}");
    }

    private static async Task<long> IdOfAsync(LockboxDbContext db, Guid chainId, long sequence) =>
        await db.AuditEntries.Where(e => e.ChainId == chainId && e.Sequence == sequence).Select(e => e.Id).SingleAsync();

    private static SqliteLockboxDbContext Open(string databasePath) =>
        new(new DbContextOptionsBuilder<SqliteLockboxDbContext>().UseSqlite($"Data Source={databasePath};Pooling=False").Options);
}
