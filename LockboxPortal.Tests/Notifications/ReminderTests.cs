using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Notifications;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Tests.Notifications;

/// <summary>
/// Reminders at half of the pending window and one hour before expiry, applied by the deadline timer on a fake
/// clock: at their moments, not one tick before, recorded on the request's timeline and in the trail.
/// </summary>
public sealed class ReminderTests
{
    [Fact]
    public async Task TheApprovers_AreRemindedAtHalfTheWindow_AndOneHourBeforeExpiry_NotOneTickBefore()
    {
        await using var email = await EmailHarness.CreateAsync();
        var harness = email.Services;
        var pending = await harness.PendingCustomerAsync();
        var half = pending.CreatedAt + (pending.ExpiresAt - pending.CreatedAt) / 2;
        var lastCall = pending.ExpiresAt - TimeSpan.FromHours(1);
        Assert.Equal(half, await harness.Timer.NextDueAsync());

        Assert.Equal(0, await harness.Timer.RunOnceAsync(half - TimeSpan.FromTicks(1)));
        Assert.DoesNotContain(await harness.AuditAsync(pending.Id), e => e.EventType == AuditEventType.Notification_ReminderSent);

        Assert.Equal(1, await harness.Timer.RunOnceAsync(half));
        harness.Time.Advance(half - harness.Time.GetUtcNow());
        await email.DispatchAsync();
        var first = email.Smtp.Messages.Where(m => m.Message.Headers["X-Lockbox-Event"] == EmailNotices.Reminder).ToList();
        Assert.Equal([$"{Cast.Approver1}@test", $"{Cast.Approver2}@test", $"{Cast.Approver3}@test"], first.Select(m => m.To).Order());
        Assert.Equal($"Reminder: {pending.Reference} awaits your approval (Contoso)", first[0].Message.Subject);
        Assert.Equal(lastCall, await harness.Timer.NextDueAsync());

        Assert.Equal(0, await harness.Timer.RunOnceAsync(lastCall - TimeSpan.FromTicks(1)));
        Assert.Equal(1, await harness.Timer.RunOnceAsync(lastCall));
        Assert.Equal(0, await harness.Timer.RunOnceAsync(lastCall));

        var reminders = (await harness.AuditAsync(pending.Id)).Where(e => e.EventType == AuditEventType.Notification_ReminderSent).ToList();
        Assert.Equal(2, reminders.Count);
        Assert.All(reminders, e => Assert.Equal("Approvers reminded", RequestHistoryItem.From(e).Text));
    }

    [Fact]
    public async Task WhoAlreadyDecided_IsNotReminded()
    {
        await using var email = await EmailHarness.CreateAsync();
        var harness = email.Services;
        await harness.SetPolicyAsync(harness.Contoso, p => p with { RequiredApprovals = 2 });
        var pending = await harness.PendingCustomerAsync();
        await harness.Requests.DecideCustomerAsync(ServiceHarness.Approver1, pending.Id, approve: true, null);

        var half = pending.CreatedAt + (pending.ExpiresAt - pending.CreatedAt) / 2;
        harness.Time.Advance(half - harness.Time.GetUtcNow());
        Assert.Equal(1, await harness.Timer.RunOnceAsync(half));
        await email.DispatchAsync();

        var reminded = email.Smtp.Messages.Where(m => m.Message.Headers["X-Lockbox-Event"] == EmailNotices.Reminder).Select(m => m.To).Order();
        Assert.Equal([$"{Cast.Approver2}@test", $"{Cast.Approver3}@test"], reminded);
    }

    [Fact]
    public async Task ASettledRequest_GetsNoReminder()
    {
        await using var email = await EmailHarness.CreateAsync();
        var harness = email.Services;
        var approved = await harness.ApprovedAsync();

        // The grant completes in this pass too; only the reminders are this test's concern.
        await harness.Timer.RunOnceAsync(approved.ExpiresAt - TimeSpan.FromMinutes(1));

        Assert.DoesNotContain(await harness.AuditAsync(approved.Id), e => e.EventType == AuditEventType.Notification_ReminderSent);
        await using var db = harness.NewContext();
        Assert.All(await db.RequestReminders.ToListAsync(), r => Assert.NotNull(r.DoneAt));
    }

    [Fact]
    public async Task ATenantThatTurnedRemindersOff_StoresNone()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        await harness.SetPolicyAsync(harness.Contoso, p => p with { RemindApprovers = false });

        await harness.PendingCustomerAsync();

        await using var db = harness.NewContext();
        Assert.Empty(db.RequestReminders);
    }

    [Fact]
    public async Task TwoInstancesApplyingTheSameMoment_RemindOnce()
    {
        await using var email = await EmailHarness.CreateAsync();
        var harness = email.Services;
        var pending = await harness.PendingCustomerAsync();
        await using var other = ServiceHarness.BuildProvider(harness.DatabasePath, harness.Time, s => EmailHarness.Configure(s, email.Smtp.Port));
        var otherTimer = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Features.Grants.DeadlineTimer>(other);
        var half = pending.CreatedAt + (pending.ExpiresAt - pending.CreatedAt) / 2;

        var applied = await Task.WhenAll(Task.Run(() => harness.Timer.RunOnceAsync(half)), Task.Run(() => otherTimer.RunOnceAsync(half)));

        Assert.Equal(1, applied.Sum());
        Assert.Single(await harness.AuditAsync(pending.Id), e => e.EventType == AuditEventType.Notification_ReminderSent);
    }
}
