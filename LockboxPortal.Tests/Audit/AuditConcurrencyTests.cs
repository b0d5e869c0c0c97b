using LockboxPortal.Features.Audit;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Tests.Audit;

/// <summary>Concurrent writers never fork or reorder a chain: the unique (ChainId, Sequence) index and retries.</summary>
public sealed class AuditConcurrencyTests
{
    [Fact]
    public async Task HundredOperationsInParallel_ChainStaysIntactWithHundredNewEntriesInOrder()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        await AuditTestData.AppendAsync(harness, harness.Contoso, 3);

        var filed = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ =>
            Task.Run(() => harness.Requests.FileAsync(ServiceHarness.Engineer, harness.ValidInput()))));

        var result = await AuditTestData.VerifyAsync(harness, harness.Contoso);
        Assert.True(result.IsIntact, result.ToString());
        Assert.Equal(103, result.EntryCount);

        await using var db = harness.NewContext();
        var added = await db.AuditEntries.Where(e => e.ChainId == harness.Contoso && e.Sequence > 3).OrderBy(e => e.Sequence).ToListAsync();
        Assert.Equal(Enumerable.Range(4, 100).Select(i => (long)i), added.Select(e => e.Sequence));
        Assert.All(added, e => Assert.Equal(AuditEventType.AccessRequest_Filed, e.EventType));
        Assert.Equal(filed.Select(r => r.Id.ToString()).Order(), added.Select(e => e.SubjectId).Order());
        for (var i = 1; i < added.Count; i++)
        {
            Assert.Equal(added[i - 1].Hash, added[i].PreviousHash);
        }
    }

    [Fact]
    public async Task ParallelWritersOnDifferentChains_EachChainStaysIntact()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var security = harness.Services.GetService(typeof(SignInAudit)) as SignInAudit;
        await using (var db = harness.NewContext())
        {
            var users = await db.Users.AsNoTracking().ToListAsync();
            await Task.WhenAll(Enumerable.Range(0, 60).Select(i => Task.Run(() =>
                security!.RecordAsync(AuditEventType.SignIn_Succeeded, users[i % users.Count], users[i % users.Count].UserName!, null))));
        }

        foreach (var chain in new[] { harness.Contoso, harness.Northwind, AuditEntry.ProviderChain })
        {
            var result = await AuditTestData.VerifyAsync(harness, chain);
            Assert.True(result.IsIntact, result.ToString());
        }
    }
}
