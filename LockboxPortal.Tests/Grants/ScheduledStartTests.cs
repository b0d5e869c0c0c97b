using LockboxPortal.Authorization;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Grants;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.Tests.Grants;

/// <summary>
/// A request may schedule its start (a maintenance window, up to 7 days ahead): the grant opens at the later of the
/// approval and that start, lasts the requested duration from then, and the access check refuses before it with
/// <see cref="AccessDecisionReason.GrantNotStarted"/>, on the portal's clock.
/// </summary>
public sealed class ScheduledStartTests
{
    private const string Scope = "Exchange:mailbox/ana@contoso.com";
    private static readonly Actor DataPlane = new("client:data-plane", "Data plane");

    [Fact]
    public async Task ApprovedBeforeItsStart_IsRefusedUntilTheStart_NotOneTickBefore_AndLastsTheDurationFromThen()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var startsAt = harness.Time.GetUtcNow().AddHours(6);
        var filed = await PendingCustomerAsync(harness, startsAt);
        harness.Time.Advance(TimeSpan.FromMinutes(10));

        var approved = await harness.Requests.DecideCustomerAsync(ServiceHarness.Approver1, filed.Id, approve: true, "in the window");

        Assert.Equal(RequestStatus.Approved, approved.Status);
        Assert.Equal((startsAt, startsAt + TimeSpan.FromHours(4)), (approved.GrantStartsAt, approved.GrantEndsAt));
        var refused = await CheckAsync(harness);
        Assert.Equal((AccessDecisionReason.GrantNotStarted, filed.Id), (refused.Reason, refused.RequestId));
        harness.Time.SetUtcNow(startsAt - TimeSpan.FromTicks(1));
        Assert.Equal(AccessDecisionReason.GrantNotStarted, (await CheckAsync(harness)).Reason);

        harness.Time.SetUtcNow(startsAt);
        var allowed = await CheckAsync(harness);
        Assert.Equal((true, (DateTimeOffset?)(startsAt + TimeSpan.FromHours(4))), (allowed.IsAllowed, allowed.GrantEndsAt));

        harness.Time.SetUtcNow(startsAt + TimeSpan.FromHours(4));
        Assert.Equal(AccessDecisionReason.GrantEnded, (await CheckAsync(harness)).Reason);
        var opened = Assert.Single(await harness.AuditAsync(filed.Id), e => e.EventType == AuditEventType.Grant_Opened);
        Assert.Contains(startsAt.ToString("yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture), opened.DetailsJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApprovedAfterItsStart_OpensAtTheApproval()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var startsAt = harness.Time.GetUtcNow().AddHours(1);
        var filed = await PendingCustomerAsync(harness, startsAt);
        harness.Time.Advance(TimeSpan.FromHours(3));

        var approved = await harness.Requests.DecideCustomerAsync(ServiceHarness.Approver1, filed.Id, approve: true, "late, but go");

        var now = harness.Time.GetUtcNow();
        Assert.Equal((now, now + TimeSpan.FromHours(4)), (approved.GrantStartsAt, approved.GrantEndsAt));
        Assert.True((await CheckAsync(harness)).IsAllowed);
    }

    [Fact]
    public async Task RevokedBeforeItOpens_NeverAllows()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var startsAt = harness.Time.GetUtcNow().AddDays(2);
        var filed = await PendingCustomerAsync(harness, startsAt);
        await harness.Requests.DecideCustomerAsync(ServiceHarness.Approver1, filed.Id, approve: true, "for the window");

        await harness.Grants.RevokeAsync(ServiceHarness.ContosoOfficer, filed.Id, "The maintenance was called off.");

        harness.Time.SetUtcNow(startsAt + TimeSpan.FromMinutes(1));
        Assert.Equal(AccessDecisionReason.GrantRevoked, (await CheckAsync(harness)).Reason);
    }

    public static TheoryData<TimeSpan, string> BadStarts => new()
    {
        { TimeSpan.Zero, "A scheduled start must be in the future" },
        { TimeSpan.FromMinutes(-5), "A scheduled start must be in the future" },
        { TimeSpan.FromDays(7) + TimeSpan.FromTicks(1), "A scheduled start may be at most 7 days ahead." },
    };

    [Theory]
    [MemberData(nameof(BadStarts))]
    public async Task AStartNowOrPastOrMoreThanAWeekAhead_IsRefusedWithAMessage_AndNothingIsFiled(TimeSpan fromNow, string message)
    {
        await using var harness = await ServiceHarness.CreateAsync();

        var refused = await Assert.ThrowsAsync<InvalidInputException>(() =>
            harness.Requests.FileAsync(ServiceHarness.Engineer, harness.ValidInput() with { StartsAt = harness.Time.GetUtcNow() + fromNow }));

        Assert.Contains(message, Assert.Single(refused.Errors[nameof(AccessRequest.StartsAt)]), StringComparison.Ordinal);
        await using var db = harness.NewContext();
        Assert.Equal(0, await db.AccessRequests.CountAsync());
    }

    [Fact]
    public async Task AWeekAhead_IsTheFurthestStartFiled()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var startsAt = harness.Time.GetUtcNow() + AccessRequest.MaxScheduleAhead;

        var filed = await harness.Requests.FileAsync(ServiceHarness.Engineer, harness.ValidInput() with { StartsAt = startsAt });

        await using var db = harness.NewContext();
        Assert.Equal(startsAt, (await db.AccessRequests.SingleAsync(r => r.Id == filed.Id)).StartsAt);
    }

    /// <summary>Files with a scheduled start and has the manager let it on to the customer.</summary>
    private static async Task<AccessRequest> PendingCustomerAsync(ServiceHarness harness, DateTimeOffset startsAt)
    {
        var filed = await harness.Requests.FileAsync(ServiceHarness.Engineer, harness.ValidInput() with { StartsAt = startsAt });
        return await harness.Requests.DecideInternalAsync(ServiceHarness.Manager, filed.Id, approve: true, "ok");
    }

    private static Task<AccessVerdict> CheckAsync(ServiceHarness harness) =>
        harness.Services.GetRequiredService<AccessCheckService>().CheckAsync(new AccessCheckInput("contoso", Cast.Engineer, Scope, AccessLevel.Read), DataPlane, null);
}
