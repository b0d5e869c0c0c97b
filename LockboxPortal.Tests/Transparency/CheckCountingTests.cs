using System.Security.Claims;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Grants;
using LockboxPortal.Features.Transparency;
using LockboxPortal.Tests.AccessRequests;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.Tests.Transparency;

/// <summary>
/// Access checks under a grant are counted in memory and written per grant and minute by the flusher, on the fake
/// clock: one row per minute with allowed and refused counts and their first and last times, one audit entry once
/// the minute is over, and nothing written by the check itself.
/// </summary>
public sealed class CheckCountingTests
{
    private static readonly Actor DataPlane = new("client:data-plane", "Data plane");

    private static Task<AccessVerdict> CheckAsync(ServiceHarness harness, AccessLevel level = AccessLevel.Read) =>
        harness.Services.GetRequiredService<AccessCheckService>().CheckAsync(new AccessCheckInput("contoso", Cast.Engineer, RequestBuilder.DefaultScope, level), DataPlane, null);

    private static CheckCountFlusher Flusher(ServiceHarness harness) => harness.Services.GetRequiredService<CheckCountFlusher>();

    private static async Task<List<GrantCheckMinute>> RowsAsync(ServiceHarness harness, Guid requestId)
    {
        await using var db = harness.NewContext();
        return (await db.GrantCheckMinutes.AsNoTracking().Where(m => m.RequestId == requestId).ToListAsync()).OrderBy(m => m.Minute).ToList();
    }

    private static async Task<List<AuditEntry>> CountedEntriesAsync(ServiceHarness harness, Guid requestId)
    {
        await using var db = harness.NewContext();
        var subject = requestId.ToString();
        return await db.AuditEntries.AsNoTracking().Where(e => e.SubjectId == subject && e.EventType == AuditEventType.Grant_ChecksCounted).ToListAsync();
    }

    [Fact]
    public async Task ChecksInOneMinute_AreOneRow_AddedToAtEachFlush_WithOneAuditEntryOnceTheMinuteIsOver()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var grant = await harness.ApprovedAsync(scope: RequestBuilder.DefaultScope);
        var minute = GrantCheckMinute.MinuteOf(harness.Time.GetUtcNow());
        harness.Time.SetUtcNow(minute.AddSeconds(10));
        var firstAllowed = harness.Time.GetUtcNow();
        Assert.True((await CheckAsync(harness)).IsAllowed);
        harness.Time.Advance(TimeSpan.FromSeconds(5));
        Assert.True((await CheckAsync(harness)).IsAllowed);
        var refusedAt = harness.Time.GetUtcNow();
        Assert.False((await CheckAsync(harness, AccessLevel.ReadWrite)).IsAllowed);

        Assert.Empty(await RowsAsync(harness, grant.Id));
        Assert.Equal(1, await Flusher(harness).FlushAsync());
        var first = Assert.Single(await RowsAsync(harness, grant.Id));
        Assert.Equal((minute, 2, 1), (first.Minute, first.Allowed, first.Refused));
        Assert.Equal((firstAllowed, firstAllowed.AddSeconds(5)), (first.FirstAllowedAt, first.LastAllowedAt));
        Assert.Equal((refusedAt, refusedAt), (first.FirstRefusedAt, first.LastRefusedAt));
        Assert.Empty(await CountedEntriesAsync(harness, grant.Id));

        harness.Time.SetUtcNow(minute.AddSeconds(50));
        Assert.True((await CheckAsync(harness)).IsAllowed);
        await Flusher(harness).FlushAsync();
        harness.Time.SetUtcNow(minute.AddSeconds(65));
        Assert.True((await CheckAsync(harness)).IsAllowed);
        await Flusher(harness).FlushAsync();

        var rows = await RowsAsync(harness, grant.Id);
        Assert.Equal([(minute, 3, 1), (minute.AddMinutes(1), 1, 0)], rows.Select(r => (r.Minute, r.Allowed, r.Refused)));
        Assert.Equal(minute.AddSeconds(50), rows[0].LastAllowedAt);
        var entry = Assert.Single(await CountedEntriesAsync(harness, grant.Id));
        Assert.Equal(harness.Contoso, entry.ChainId);
        Assert.Contains("\"allowed\":3", entry.DetailsJson, StringComparison.Ordinal);
        Assert.Contains("\"refused\":1", entry.DetailsJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFlushWithNothingCounted_WritesNothing()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var grant = await harness.ApprovedAsync(scope: RequestBuilder.DefaultScope);

        Assert.Equal(0, await Flusher(harness).FlushAsync());
        Assert.Empty(await RowsAsync(harness, grant.Id));
    }

    [Fact]
    public async Task TheFlusher_WritesOnItsInterval_TellsTheGrantsPage_AndClosesTheMinuteWhenTheAppStops()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var grant = await harness.ApprovedAsync(scope: RequestBuilder.DefaultScope);
        var heard = new TaskCompletionSource<RequestEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = harness.Notifier.Subscribe(change =>
        {
            if (change is { Kind: RequestEventKind.ChecksCounted } && change.RequestId == grant.Id)
            {
                heard.TrySetResult(change);
            }

            return Task.CompletedTask;
        });
        var flusher = Flusher(harness);
        harness.Time.ForgetWaits();
        await flusher.StartAsync(CancellationToken.None);
        var interval = new TransparencyOptions().FlushInterval;
        await harness.Time.NextWaitAsync(wait => wait == interval);
        Assert.True((await CheckAsync(harness)).IsAllowed);

        harness.Time.Advance(interval);
        var change = await heard.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(grant.TenantId, change.TenantId);
        Assert.Equal(1, Assert.Single(await RowsAsync(harness, grant.Id)).Allowed);
        Assert.Empty(await CountedEntriesAsync(harness, grant.Id));
        await flusher.StopAsync(CancellationToken.None);
        Assert.Single(await CountedEntriesAsync(harness, grant.Id));
    }

    [Fact]
    public async Task ChecksOfAnotherTenantsGrant_CountUnderThatGrant_InThatTenantsTrail()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var contoso = await harness.ApprovedAsync(scope: RequestBuilder.DefaultScope);
        var northwind = await harness.ApprovedAsync(harness.Northwind, scope: "Sql:database/orders");
        var checks = harness.Services.GetRequiredService<AccessCheckService>();
        Assert.True((await checks.CheckAsync(new AccessCheckInput("northwind", Cast.Engineer, "Sql:database/orders", AccessLevel.Read), DataPlane, null)).IsAllowed);

        await Flusher(harness).FlushAsync(closeAll: true);

        Assert.Empty(await RowsAsync(harness, contoso.Id));
        Assert.Equal(harness.Northwind, Assert.Single(await RowsAsync(harness, northwind.Id)).TenantId);
        Assert.Equal(harness.Northwind, Assert.Single(await CountedEntriesAsync(harness, northwind.Id)).ChainId);
    }
}
