using LockboxPortal.Features.Notifications;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.Tests.Notifications;

/// <summary>
/// The outbox: written with the change, sent later by the dispatcher, never by the operation; each message once,
/// whichever node sends it, with an id a receiver can deduplicate on.
/// </summary>
public sealed class OutboxTests
{
    [Fact]
    public async Task WhileTheMailServerIsDown_FilingSucceeds_AndTheMailsArriveOnceItIsBack()
    {
        await using var email = await EmailHarness.CreateAsync(smtpListening: false);
        var harness = email.Services;

        // Nothing listens on the port: the operations never talk to it, so they finish as usual.
        var pending = await harness.PendingCustomerAsync();
        var second = await harness.PendingCustomerAsync(scope: "Exchange:mailbox/ben@contoso.com");
        Assert.Equal(Features.AccessRequests.RequestStatus.PendingCustomer, second.Status);
        Assert.Equal(6, (await email.OutboxAsync()).Count);

        var failed = await email.DispatchAsync();
        Assert.Equal((0, 6, 6), (failed.Sent, failed.Failed, failed.Backlog));
        var waiting = await email.OutboxAsync();
        Assert.All(waiting, m => Assert.Equal((1, (DateTimeOffset?)null), (m.Attempts, m.SentAt)));
        Assert.All(waiting, m => Assert.Equal(harness.Time.GetUtcNow() + OutboxMessage.BackoffAfter(1), m.DueAt));
        Assert.All(waiting, m => Assert.NotNull(m.LastError));

        await email.Smtp.StartAsync();
        harness.Time.Advance(OutboxMessage.BackoffAfter(1) - TimeSpan.FromTicks(1));
        Assert.Equal(0, (await email.DispatchAsync()).Sent);
        harness.Time.Advance(TimeSpan.FromTicks(1));
        var delivered = await email.DispatchAsync();
        Assert.Equal((6, 0), (delivered.Sent, delivered.Backlog));

        // Each approver once per request.
        Assert.Equal(6, email.Smtp.Messages.Select(m => (m.To, m.Message.Subject)).Distinct().Count());
        Assert.Equal(6, email.Smtp.Messages.Count);
        Assert.Contains(email.Smtp.Messages, m => m.Text.Contains(pending.Reference));
        Assert.All(await email.OutboxAsync(), m => Assert.NotNull(m.SentAt));
    }

    [Fact]
    public async Task AFailingMessage_IsTriedWithGrowingPauses_ThenGivenUp()
    {
        Assert.Equal(
            [30, 60, 120, 240, 480, 960, 1920, 3600, 3600],
            Enumerable.Range(1, 9).Select(n => (int)OutboxMessage.BackoffAfter(n).TotalSeconds));

        await using var email = await EmailHarness.CreateAsync(smtpListening: false);
        var harness = email.Services;
        await harness.PendingCustomerAsync();
        for (var attempt = 1; attempt <= OutboxMessage.MaxAttempts; attempt++)
        {
            Assert.Equal(3, (await email.DispatchAsync()).Failed);
            harness.Time.Advance(OutboxMessage.BackoffAfter(attempt));
        }

        Assert.Equal((0, 0), ((await email.DispatchAsync()).Sent, (await email.DispatchAsync()).Failed));
        Assert.All(await email.OutboxAsync(), m => Assert.Equal((OutboxMessage.MaxAttempts, true), (m.Attempts, m.GaveUpAt is not null)));
    }

    [Fact]
    public async Task MessagesLeftUnsentWhenTheAppStopped_AreDeliveredOnce_AfterItStartsAgain()
    {
        await using var email = await EmailHarness.CreateAsync();
        var harness = email.Services;

        // The first instance commits the changes and their messages, then stops before its dispatcher ran.
        var pending = await harness.PendingCustomerAsync();
        Assert.Empty(email.Smtp.Messages);

        // The next start, on the same database file.
        await using (var restarted = ServiceHarness.BuildProvider(harness.DatabasePath, harness.Time, s => EmailHarness.Configure(s, email.Smtp.Port)))
        {
            var dispatcher = restarted.GetRequiredService<OutboxDispatcher>();
            Assert.Equal(3, (await dispatcher.RunOnceAsync()).Sent);
            harness.Time.Advance(OutboxDispatcher.Lease + TimeSpan.FromMinutes(1));
            Assert.Equal(0, (await dispatcher.RunOnceAsync()).Sent);
        }

        Assert.Equal(0, (await email.DispatchAsync()).Sent);
        var received = email.Received("AccessRequest.InternalApproved");
        Assert.Equal(3, received.Count);
        Assert.All(received.Values, m => Assert.Contains(pending.Reference, m.Message.Subject));
    }

    [Fact]
    public async Task TwoNodesDispatchingAtOnce_SendEachMessageOnce_UnderItsOwnStableId()
    {
        await using var email = await EmailHarness.CreateAsync();
        var harness = email.Services;
        for (var i = 0; i < 8; i++)
        {
            await harness.PendingCustomerAsync(scope: $"Exchange:mailbox/user{i}@contoso.com");
        }

        await using var other = ServiceHarness.BuildProvider(harness.DatabasePath, harness.Time, s => EmailHarness.Configure(s, email.Smtp.Port));
        var passes = await Task.WhenAll(
            Task.Run(() => email.DispatchAsync()),
            Task.Run(() => other.GetRequiredService<OutboxDispatcher>().RunOnceAsync()));

        var stored = await email.OutboxAsync();
        Assert.Equal(24, stored.Count);
        Assert.Equal(24, passes.Sum(p => p.Sent));
        Assert.Equal(0, passes.Sum(p => p.Failed));
        Assert.Equal(
            stored.Select(m => $"{m.Id:N}@lockboxportal").Order(),
            email.Smtp.Messages.Select(m => m.Message.MessageId).Order());
    }

    [Fact]
    public async Task AMessageLeasedByAnotherNode_IsLeftAlone_UntilTheLeaseRunsOut()
    {
        await using var email = await EmailHarness.CreateAsync();
        var harness = email.Services;
        await harness.PendingCustomerAsync();
        var now = harness.Time.GetUtcNow();
        await using (var db = harness.NewContext())
        {
            // Another node claimed them and stopped before it sent.
            await db.OutboxMessages.ExecuteUpdateAsync(s => s
                .SetProperty(m => m.LeaseUntil, now + OutboxDispatcher.Lease)
                .SetProperty(m => m.LeaseOwner, "a node that stopped"));
        }

        Assert.Equal(0, (await email.DispatchAsync()).Sent);
        harness.Time.Advance(OutboxDispatcher.Lease);
        Assert.Equal(0, (await email.DispatchAsync()).Sent);
        harness.Time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(3, (await email.DispatchAsync()).Sent);
    }

    [Fact]
    public async Task TheOutboxRows_CommitWithTheChange_AndNeverWithARolledBackOne()
    {
        await using var email = await EmailHarness.CreateAsync();
        var harness = email.Services;
        var pending = await harness.PendingCustomerAsync();

        // A refused decision (the requester may not approve their own request) rolls back and writes no message.
        await Assert.ThrowsAnyAsync<Exception>(() => harness.Requests.DecideCustomerAsync(ServiceHarness.Engineer, pending.Id, approve: true, null));

        var rows = await email.OutboxAsync();
        Assert.Equal(3, rows.Count);
        Assert.All(rows, m => Assert.Equal("AccessRequest.InternalApproved", m.Type));
        Assert.All(rows, m => Assert.Equal(pending.Id.ToString(), m.SubjectId));
    }

    [Fact]
    public async Task TheHostedDispatcher_SendsWhenAChangeCommits_WithoutAPass()
    {
        await using var email = await EmailHarness.CreateAsync();
        var harness = email.Services;
        var dispatcher = email.Dispatcher;
        var sent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        dispatcher.PassCompleted += pass =>
        {
            if (email.Smtp.Messages.Count >= 3)
            {
                sent.TrySetResult();
            }
        };
        await dispatcher.StartAsync(CancellationToken.None);
        try
        {
            await harness.PendingCustomerAsync();
            await sent.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            await dispatcher.StopAsync(CancellationToken.None);
        }

        Assert.Equal(3, email.Received("AccessRequest.InternalApproved").Count);
    }
}
