using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Grants;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Tests.Grants;

/// <summary>Deadlines that passed while the app was down, and several app instances over one database.</summary>
public sealed class StartupAndInstancesTests
{
    [Fact]
    public async Task AppStart_ClosesEveryDeadlineThatPassedWhileItWasDown_EachOnce_EachAudited()
    {
        await using var harness = await ServiceHarness.CreateAsync();

        // Written on the harness's clock (March 2026), so every deadline lies in the real clock's past.
        var overdue = new List<(Guid Id, RequestStatus Expected, AuditEventType Audit)>();
        for (var i = 0; i < 2; i++)
        {
            overdue.Add(((await harness.Requests.FileAsync(ServiceHarness.Engineer, harness.ValidInput())).Id, RequestStatus.Expired, AuditEventType.AccessRequest_Expired));
            overdue.Add(((await harness.PendingCustomerAsync()).Id, RequestStatus.Expired, AuditEventType.AccessRequest_Expired));
            overdue.Add(((await harness.ApprovedAsync(scope: $"Exchange:mailbox/grant{i}@contoso.com")).Id, RequestStatus.Completed, AuditEventType.Grant_Completed));
        }

        // One request filed "now" on the real clock is not due and must stay open.
        harness.Time.SetUtcNow(TimeProvider.System.GetUtcNow());
        var notDue = await harness.Requests.FileAsync(ServiceHarness.Engineer, harness.ValidInput());

        for (var start = 0; start < 2; start++)
        {
            // Starting the host runs the timer's catch-up pass before start-up completes; a restart applies nothing again.
            await using var app = new PortalFactory(harness.DatabasePath);
            _ = app.Services;

            var transitions = await harness.TransitionsBySubjectAsync();
            foreach (var (id, expected, audit) in overdue)
            {
                Assert.Equal(expected, (await harness.StoredAsync(id)).Status);
                var entry = Assert.Single(transitions[id.ToString()]);
                Assert.Equal(audit, entry.EventType);
                Assert.Equal(Actor.System.UserId, entry.ActorId);
            }

            Assert.Equal(RequestStatus.PendingInternal, (await harness.StoredAsync(notDue.Id)).Status);
            Assert.False(transitions.ContainsKey(notDue.Id.ToString()));
        }
    }

    [Fact]
    public async Task TwoTimers_OnOneDatabase_ApplyEveryTransitionExactlyOnce()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        var due = ServiceHarness.Start + TimeSpan.FromHours(1);
        var ids = await harness.AddDueAsync(pending: 120, grants: 120, due);
        await using var second = new SecondInstance(harness);
        DeadlineTimer[] timers = [harness.Timer, second.Timer];

        var applied = new int[timers.Length];
        for (var i = 0; i < timers.Length; i++)
        {
            var index = i;
            timers[i].PassCompleted += pass => Interlocked.Add(ref applied[index], pass.Applied);
        }

        try
        {
            foreach (var timer in timers)
            {
                Assert.Equal(due, (await timer.StartAndFirstPassAsync()).WakeAt);
            }

            // Both wake at the same deadline and work through the same due rows; each waits until it sees nothing left.
            var done = timers.Select(t => t.NextPassAsync(p => p.Now >= due && p.Error is null && p.NextDue is null)).ToList();
            harness.Time.Advance(TimeSpan.FromHours(1));
            await Task.WhenAll(done);
        }
        finally
        {
            foreach (var timer in timers)
            {
                await timer.StopAsync(CancellationToken.None);
            }
        }

        Assert.Equal(ids.Count, applied.Sum());
        var transitions = await harness.TransitionsBySubjectAsync();
        await using var db = harness.NewContext();
        var statuses = await db.AccessRequests.AsNoTracking().Where(r => ids.Contains(r.Id)).Select(r => new { r.Id, r.Status }).ToListAsync();
        Assert.All(statuses, r => Assert.True(r.Status is RequestStatus.Expired or RequestStatus.Completed, $"{r.Id} is {r.Status}"));
        Assert.All(ids, id => Assert.Single(transitions[id.ToString()]));
    }
}
