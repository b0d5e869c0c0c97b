using Microsoft.Extensions.DependencyInjection;
using LockboxPortal.Features.Audit;
using LockboxPortal.Tests.Infrastructure;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Tests.Audit;

/// <summary>Tampering with the stored trail, as someone with the database file could, and catching it.</summary>
public sealed class AuditTamperTests
{
    [Fact]
    public async Task Database_RefusesUpdateAndDeleteOfAuditEntries()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        await AuditTestData.AppendAsync(harness, harness.Contoso, 2);
        await using var db = harness.NewContext();

        // The same guard on either database (SqliteException or PostgresException, both a DbException).
        var update = await Assert.ThrowsAnyAsync<DbException>(() => db.Database.ExecuteSqlRawAsync("UPDATE \"AuditEntries\" SET \"DetailsJson\" = 'x'"));
        var delete = await Assert.ThrowsAnyAsync<DbException>(() => db.Database.ExecuteSqlRawAsync("DELETE FROM \"AuditEntries\""));

        Assert.Contains("append-only", update.Message);
        Assert.Contains("append-only", delete.Message);
        Assert.Equal(2, await db.AuditEntries.CountAsync());
    }

    [Fact]
    public async Task Verify_UntouchedChain_IsIntact()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        await AuditTestData.AppendAsync(harness, harness.Contoso, 8);

        var result = await AuditTestData.VerifyAsync(harness, harness.Contoso);

        Assert.Equal("intact, 8 entries", result.ToString());
    }

    [Fact]
    public async Task Verify_DetailsChangedWithRawSql_ReportsChangedAtThatEntry()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        await AuditTestData.AppendAsync(harness, harness.Contoso, 8);
        await AuditTestData.DropGuardsAsync(harness);

        await AuditTestData.ChangeDetailsAsync(harness, harness.Contoso, 5, "{\"change\":4}");

        var result = await AuditTestData.VerifyAsync(harness, harness.Contoso);
        Assert.Equal(5, result.Break?.Sequence);
        Assert.Equal(AuditBreakKind.Changed, result.Break!.Kind);
        Assert.Equal(4, result.EntryCount);
    }

    [Fact]
    public async Task Verify_EntryDeletedWithRawSql_ReportsMissingAtThatEntry()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        await AuditTestData.AppendAsync(harness, harness.Contoso, 8);
        await AuditTestData.DropGuardsAsync(harness);

        await AuditTestData.DeleteAsync(harness, harness.Contoso, 3);

        var result = await AuditTestData.VerifyAsync(harness, harness.Contoso);
        Assert.Equal(3, result.Break?.Sequence);
        Assert.Equal(AuditBreakKind.Missing, result.Break!.Kind);
    }

    [Fact]
    public async Task Verify_FirstEntryDeletedWithRawSql_ReportsMissingFirstEntry()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        await AuditTestData.AppendAsync(harness, harness.Contoso, 3);
        await AuditTestData.DropGuardsAsync(harness);

        await AuditTestData.DeleteAsync(harness, harness.Contoso, 1);

        var result = await AuditTestData.VerifyAsync(harness, harness.Contoso);
        Assert.Equal(new AuditBreak(1, AuditBreakKind.Missing, "entry 1 is missing"), result.Break);
    }

    [Theory]
    [InlineData(4, 5)]
    [InlineData(2, 6)]
    [InlineData(7, 8)]
    public async Task Verify_TwoEntriesSwappedWithRawSql_ReportsOutOfOrderAtTheFirst(long first, long second)
    {
        await using var harness = await ServiceHarness.CreateAsync();
        await AuditTestData.AppendAsync(harness, harness.Contoso, 8);
        await AuditTestData.DropGuardsAsync(harness);

        await AuditTestData.SwapAsync(harness, harness.Contoso, first, second);

        var result = await AuditTestData.VerifyAsync(harness, harness.Contoso);
        Assert.Equal(first, result.Break?.Sequence);
        Assert.Equal(AuditBreakKind.OutOfOrder, result.Break!.Kind);
    }

    [Fact]
    public async Task Verify_TamperingOneChain_LeavesTheOthersIntact()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        await AuditTestData.AppendAsync(harness, harness.Contoso, 3);
        await AuditTestData.AppendAsync(harness, harness.Northwind, 3);
        await AuditTestData.AppendAsync(harness, null, 3);
        await AuditTestData.DropGuardsAsync(harness);

        await AuditTestData.ChangeDetailsAsync(harness, harness.Contoso, 2, "{}");

        Assert.False((await AuditTestData.VerifyAsync(harness, harness.Contoso)).IsIntact);
        Assert.True((await AuditTestData.VerifyAsync(harness, harness.Northwind)).IsIntact);
        Assert.True((await AuditTestData.VerifyAsync(harness, AuditEntry.ProviderChain)).IsIntact);
    }

    [Fact]
    public async Task Verify_ChainLongerThanOneBatch_ReadsEveryBatch()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        await SeedRawAsync(harness, AuditReader.BatchSize * 2 + 17);
        await AuditTestData.DropGuardsAsync(harness);
        await AuditTestData.ChangeDetailsAsync(harness, harness.Contoso, AuditReader.BatchSize + 3, "{\"x\":1}");

        var result = await AuditTestData.VerifyAsync(harness, harness.Contoso);

        Assert.Equal(AuditReader.BatchSize + 3, result.Break?.Sequence);
        Assert.Equal(AuditReader.BatchSize + 2, result.EntryCount);
    }

    /// <summary>Many entries in one transaction: the writer continues the chain from entries not saved yet.</summary>
    private static async Task SeedRawAsync(ServiceHarness harness, int count)
    {
        var trail = harness.Services.GetRequiredService<AuditWriter>();
        await using var db = harness.NewContext();
        for (var i = 0; i < count; i++)
        {
            await trail.AppendAsync(db, new AuditRecord(AuditEventType.Policy_Changed, new Actor("u", "U"), harness.Contoso, "Tenant", "t", "{}"));
        }

        await db.SaveChangesAsync();
    }
}
