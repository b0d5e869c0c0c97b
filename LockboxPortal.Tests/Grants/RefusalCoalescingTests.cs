using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Grants;
using LockboxPortal.Tests.Approvers;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.Tests.Grants;

/// <summary>
/// Refused access checks are audited coalesced: the first of a caller, tenant, engineer, scope, level and reason in a
/// minute at once, the rest of that minute as one counted entry once it is over, so a data plane hammering refused
/// checks adds two entries a minute instead of thousands, and still none goes unrecorded.
/// </summary>
public sealed class RefusalCoalescingTests
{
    private static readonly Actor DataPlane = new("client:data-plane", "Data plane");
    private static readonly Actor OtherPlane = new("client:other-plane", "Other data plane");
    private const string Scope = "Exchange:mailbox/kim@contoso.com";

    [Fact]
    public async Task FiftyRefusalsInOneMinute_AreTheFirstAtOnce_AndOneCountOfTheOtherFortyNine_ThenTheNextMinuteStartsAgain()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var start = RefusalCoalescer.MinuteOf(harness.Time.GetUtcNow()).AddMinutes(1);
        harness.Time.Advance(start - harness.Time.GetUtcNow());

        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(AccessDecisionReason.NoMatchingRequest, (await CheckAsync(harness, Scope, DataPlane)).Reason);
            harness.Time.Advance(TimeSpan.FromMilliseconds(900));
        }

        var first = Assert.Single(await RefusalsAsync(harness));
        Assert.Equal(harness.Contoso, first.TenantId);
        Assert.Equal(DataPlane.UserId, first.ActorId);
        Assert.Equal(0, await Flusher(harness).FlushAsync());
        Assert.Empty(await harness.AuditOfTypeAsync(AuditEventType.Grant_AccessRefusalsCounted));

        harness.Time.Advance(start.AddMinutes(1) - harness.Time.GetUtcNow());
        Assert.Equal(1, await Flusher(harness).FlushAsync());

        var counted = Assert.Single(await harness.AuditOfTypeAsync(AuditEventType.Grant_AccessRefusalsCounted));
        var details = counted.Details();
        Assert.Equal(49, details.GetProperty("repeats").GetInt32());
        Assert.Equal(nameof(AccessDecisionReason.NoMatchingRequest), details.GetProperty("reason").GetString());
        Assert.Equal(Scope, details.GetProperty("scope").GetString());
        Assert.Equal(start, details.GetProperty("minute").GetDateTimeOffset());
        Assert.Equal(start.AddMilliseconds(49 * 900), details.GetProperty("lastAt").GetDateTimeOffset());
        Assert.Equal((harness.Contoso, DataPlane.UserId), (counted.TenantId, counted.ActorId));
        Assert.Equal(0, await Flusher(harness).FlushAsync());

        // A new minute: its first refusal is written at once again.
        await CheckAsync(harness, Scope, DataPlane);
        Assert.Equal(2, (await RefusalsAsync(harness)).Count);
    }

    [Fact]
    public async Task AnotherScope_AnotherCaller_OrAnotherEngineer_IsAFirstOfItsOwn()
    {
        await using var harness = await ServiceHarness.CreateAsync();

        await CheckAsync(harness, Scope, DataPlane);
        await CheckAsync(harness, Scope, DataPlane);
        await CheckAsync(harness, "Exchange:mailbox/ana@contoso.com", DataPlane);
        await CheckAsync(harness, Scope, OtherPlane);
        var stranger = await harness.Services.GetRequiredService<AccessCheckService>().CheckAsync(
            new AccessCheckInput("contoso", "nobody-such", Scope, AccessLevel.Read), DataPlane, null);

        Assert.False(stranger.IsAllowed);
        Assert.Equal(4, (await RefusalsAsync(harness)).Count);
    }

    [Fact]
    public async Task WhenTheAppStops_TheRunningMinutesRepeats_AreWrittenToo()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        for (var i = 0; i < 3; i++)
        {
            await CheckAsync(harness, Scope, DataPlane);
        }

        Assert.Equal(1, await Flusher(harness).FlushAsync(all: true));

        var counted = Assert.Single(await harness.AuditOfTypeAsync(AuditEventType.Grant_AccessRefusalsCounted));
        Assert.Equal(2, counted.Details().GetProperty("repeats").GetInt32());
        Assert.Single(await RefusalsAsync(harness));
    }

    private static Task<AccessVerdict> CheckAsync(ServiceHarness harness, string scope, Actor caller) =>
        harness.Services.GetRequiredService<AccessCheckService>().CheckAsync(new AccessCheckInput("contoso", Cast.Engineer, scope, AccessLevel.Read), caller, null);

    private static RefusalCountFlusher Flusher(ServiceHarness harness) => harness.Services.GetRequiredService<RefusalCountFlusher>();

    private static async Task<List<AuditEntry>> RefusalsAsync(ServiceHarness harness) =>
        (await harness.AuditOfTypeAsync(AuditEventType.Grant_AccessChecked)).Where(e => e.SubjectType == AccessCheckService.RefusalSubject).ToList();
}
