using LockboxPortal.Authorization;
using LockboxPortal.Features.Approvers;
using LockboxPortal.Features.Audit;
using LockboxPortal.Tests.Grants;
using LockboxPortal.Tests.Infrastructure;
using static LockboxPortal.Tests.Infrastructure.ServiceHarness;

namespace LockboxPortal.Tests.Approvers;

/// <summary>A delegation ends by itself at its end time: the timer records the end once, and authority stops there.</summary>
public sealed class DelegationTimerTests
{
    [Fact]
    public async Task Timer_EndsADelegationAtItsEnd_AndNotOneTickBefore_Audited()
    {
        await using var harness = await CreateAsync();
        var delegation = await harness.DelegateAsync(Approver1, Cast.Approver1, Cast.ContosoAdminNotApprover, lasts: TimeSpan.FromHours(2));
        var pending = await harness.PendingCustomerAsync();

        Assert.Equal(delegation.EndsAt, await harness.Timer.NextDueAsync());
        Assert.Equal(0, await harness.Timer.RunOnceAsync(delegation.EndsAt - GrantTestKit.Tick));
        Assert.Empty(await harness.AuditOfTypeAsync(AuditEventType.Delegation_Ended));

        harness.Time.SetUtcNow(delegation.EndsAt);
        Assert.Equal(1, await harness.Timer.RunOnceAsync(delegation.EndsAt));
        var ended = Assert.Single(await harness.AuditOfTypeAsync(AuditEventType.Delegation_Ended));
        Assert.Equal(delegation.Id.ToString(), ended.SubjectId);

        // Ended means ended: the delegate may not decide, and a second pass records nothing more.
        await Assert.ThrowsAsync<ForbiddenException>(() =>
            harness.Requests.DecideCustomerAsync(As(Cast.ContosoAdminNotApprover), pending.Id, approve: true, "ok"));
        Assert.Equal(0, await harness.Timer.RunOnceAsync(delegation.EndsAt + TimeSpan.FromMinutes(1)));
        Assert.Single(await harness.AuditOfTypeAsync(AuditEventType.Delegation_Ended));
    }

    [Fact]
    public async Task NewDelegation_EndingBeforeTheTimersNextWake_WakesItForTheEnd()
    {
        await using var harness = await CreateAsync();
        var timer = harness.Timer;
        try
        {
            var first = await timer.StartAndFirstPassAsync();
            Assert.Null(first.NextDue);

            var woken = timer.NextPassAsync();
            var delegation = await harness.DelegateAsync(Approver1, Cast.Approver1, Cast.Approver2, lasts: TimeSpan.FromHours(1));
            var pass = await woken;

            Assert.Equal(delegation.EndsAt, pass.NextDue);
            Assert.Equal(delegation.EndsAt, pass.WakeAt);
        }
        finally
        {
            await timer.StopAsync(CancellationToken.None);
        }
    }
}
