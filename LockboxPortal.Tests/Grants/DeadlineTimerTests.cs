using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Grants;
using LockboxPortal.Tests.Infrastructure;

namespace LockboxPortal.Tests.Grants;

/// <summary>
/// DESIGN.md rule 5 on a fake clock: the timer sleeps until the next stored deadline, applies it there and not a
/// tick before, and wakes early for a sooner one. Delegations ending at their end: Approvers/DelegationTimerTests.
/// </summary>
public sealed class DeadlineTimerTests
{
    [Fact]
    public async Task RunOnce_ExpiresAPendingRequestAtItsDeadline_AndNotOneTickBefore()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var filed = await harness.Requests.FileAsync(ServiceHarness.Engineer, harness.ValidInput());

        Assert.Equal(0, await harness.Timer.RunOnceAsync(filed.ExpiresAt - GrantTestKit.Tick));
        Assert.Equal(RequestStatus.PendingInternal, (await harness.StoredAsync(filed.Id)).Status);

        Assert.Equal(1, await harness.Timer.RunOnceAsync(filed.ExpiresAt));
        var stored = await harness.StoredAsync(filed.Id);
        Assert.Equal(RequestStatus.Expired, stored.Status);
        Assert.Equal(filed.ExpiresAt, stored.ClosedAt);
    }

    [Fact]
    public async Task Timer_SleepsUntilThePendingDeadline_AndExpiresTheRequestThere_Audited()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var filed = await harness.Requests.FileAsync(ServiceHarness.Engineer, harness.ValidInput());
        var timer = harness.Timer;
        var passes = 0;
        timer.PassCompleted += _ => Interlocked.Increment(ref passes);
        try
        {
            var first = await timer.StartAndFirstPassAsync();
            Assert.Equal(filed.ExpiresAt, first.WakeAt);

            // One tick before the deadline the timer is still asleep and the request still pending.
            harness.Time.SetUtcNow(filed.ExpiresAt - GrantTestKit.Tick);
            Assert.Equal(1, Volatile.Read(ref passes));
            Assert.Equal(RequestStatus.PendingInternal, (await harness.StoredAsync(filed.Id)).Status);

            var atDeadline = timer.NextPassAsync();
            harness.Time.Advance(GrantTestKit.Tick);
            var pass = await atDeadline;

            Assert.Equal(filed.ExpiresAt, pass.Now);
            Assert.Equal(1, pass.Applied);
            var stored = await harness.StoredAsync(filed.Id);
            Assert.Equal(RequestStatus.Expired, stored.Status);
            Assert.Equal(filed.ExpiresAt, stored.ClosedAt);
            var expired = Assert.Single(await harness.AuditAsync(filed.Id), e => e.EventType == AuditEventType.AccessRequest_Expired);
            Assert.Equal(Actor.System.UserId, expired.ActorId);
        }
        finally
        {
            await timer.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Timer_CompletesAGrantAtItsEnd_AndAccessIsRefusedFromTheEndEvenBeforeThat()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var grant = await harness.ApprovedAsync();
        var end = grant.GrantEndsAt!.Value;
        var timer = harness.Timer;
        try
        {
            Assert.Equal(end, (await timer.StartAndFirstPassAsync()).WakeAt);

            harness.Time.SetUtcNow(end - GrantTestKit.Tick);
            Assert.True((await harness.DecideAccessAsync(grant)).IsAllowed);

            var atEnd = timer.NextPassAsync();
            harness.Time.Advance(GrantTestKit.Tick);
            Assert.Equal(1, (await atEnd).Applied);

            var stored = await harness.StoredAsync(grant.Id);
            Assert.Equal(RequestStatus.Completed, stored.Status);
            Assert.Equal(end, stored.ClosedAt);
            Assert.Equal(AccessDecisionReason.GrantEnded, (await harness.DecideAccessAsync(grant)).Reason);
            var completed = Assert.Single(await harness.AuditAsync(grant.Id), e => e.EventType == AuditEventType.Grant_Completed);
            Assert.Equal(Actor.System.UserId, completed.ActorId);
        }
        finally
        {
            await timer.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Timer_NewRequestWithASoonerDeadline_WakesTheTimerEarly()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var later = await harness.Requests.FileAsync(ServiceHarness.Engineer, harness.ValidInput());
        var timer = harness.Timer;
        try
        {
            Assert.Equal(later.ExpiresAt, (await timer.StartAndFirstPassAsync()).WakeAt);

            // The tenant shortens its pending lifetime; the next request's deadline is sooner than the one the timer sleeps towards.
            await harness.SetPolicyAsync(harness.Contoso, p => p with { PendingLifetime = TimeSpan.FromHours(1) });
            var rescheduled = timer.NextPassAsync();
            var sooner = await harness.Requests.FileAsync(ServiceHarness.Engineer2, harness.ValidInput());
            Assert.Equal(ServiceHarness.Start + TimeSpan.FromHours(1), sooner.ExpiresAt);
            Assert.Equal(sooner.ExpiresAt, (await rescheduled).WakeAt);

            var atSooner = timer.NextPassAsync();
            harness.Time.Advance(TimeSpan.FromHours(1));
            var pass = await atSooner;

            Assert.Equal(1, pass.Applied);
            Assert.Equal(later.ExpiresAt, pass.WakeAt);
            Assert.Equal(RequestStatus.Expired, (await harness.StoredAsync(sooner.Id)).Status);
            Assert.Equal(RequestStatus.PendingInternal, (await harness.StoredAsync(later.Id)).Status);
        }
        finally
        {
            await timer.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Timer_WithNothingDue_StillLooksAgainAfterItsSafetyNet()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var timer = harness.Timer;
        try
        {
            var first = await timer.StartAndFirstPassAsync(keepSafetyNet: true);
            Assert.Null(first.NextDue);
            Assert.Equal(ServiceHarness.Start + DeadlineTimer.DefaultMaxSleep, first.WakeAt);

            var again = timer.NextPassAsync();
            harness.Time.Advance(DeadlineTimer.DefaultMaxSleep);
            Assert.Equal(first.WakeAt, (await again).Now);
        }
        finally
        {
            await timer.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Signal_WithALaterDeadline_LeavesTheTimerAsleep_WithASoonerOne_WakesIt()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var filed = await harness.Requests.FileAsync(ServiceHarness.Engineer, harness.ValidInput());
        var timer = harness.Timer;
        var signal = (DeadlineSignal)harness.Services.GetService(typeof(DeadlineSignal))!;
        var passes = 0;
        timer.PassCompleted += _ => Interlocked.Increment(ref passes);
        try
        {
            await timer.StartAndFirstPassAsync();

            // A poke naming a later deadline is taken and ignored; the sooner poke after it wakes the timer, and the
            // pass count shows the later one caused no pass of its own.
            var woken = timer.NextPassAsync();
            signal.Notify(filed.ExpiresAt + TimeSpan.FromHours(1));
            signal.Notify(filed.ExpiresAt - TimeSpan.FromHours(1));
            await woken;
            Assert.Equal(2, Volatile.Read(ref passes));
        }
        finally
        {
            await timer.StopAsync(CancellationToken.None);
        }
    }
}
