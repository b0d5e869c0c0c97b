using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Approvers;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Features.Notifications;

/// <summary>What one pass of the <see cref="OutboxDispatcher"/> did.</summary>
/// <summary>One pass: when, how many sent and failed, when the next is due, and how many messages still wait (the backlog).</summary>
public sealed record OutboxPass(DateTimeOffset Now, int Sent, int Failed, DateTimeOffset? NextDue, int Backlog = 0);

/// <summary>
/// Sends what the outbox holds, on every node: it claims each due message with a conditional update of its lease
/// (<c>WHERE Id = x AND SentAt IS NULL AND (LeaseUntil IS NULL OR LeaseUntil &lt; now)</c>, then checks that one row
/// changed), sends only what it claimed, and records the send. Plain SQL through EF, so SQLite and PostgreSQL
/// behave alike. A failure is tried again with exponential backoff (<see cref="OutboxMessage.BackoffAfter"/>).
/// </summary>
/// <remarks>
/// It wakes when this node commits a change (the notifiers' events), at the next scheduled message, and at least
/// every <see cref="PollInterval"/> for messages other nodes wrote. Time is the <see cref="TimeProvider"/>'s.
/// </remarks>
public sealed class OutboxDispatcher(
    IDbContextFactory<LockboxDbContext> dbFactory,
    IEnumerable<IOutboxSender> senders,
    RequestNotifier requests,
    ApproverNotifier approvers,
    TimeProvider time,
    ILogger<OutboxDispatcher> logger) : BackgroundService
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(10);

    /// <summary>Long enough for a slow SMTP conversation; a node that dies holding a lease frees it when this runs out.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    private const int BatchSize = 100;

    private readonly string _owner = $"{Environment.ProcessId}-{Guid.NewGuid():N}";
    private readonly Dictionary<OutboxChannel, IOutboxSender> _senders = senders.ToDictionary(s => s.Channel);
    private readonly SemaphoreSlim _poke = new(0);

    private IDisposable? _requestSubscription;
    private IDisposable? _approverSubscription;

    /// <summary>Raised after every pass, on the dispatcher's own thread.</summary>
    public event Action<OutboxPass>? PassCompleted;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // What was done under a grant writes nothing to the outbox, so it is no reason to look.
        _requestSubscription = requests.Subscribe(change => change.Kind.IsActivity() ? Task.CompletedTask : Poke());
        _approverSubscription = approvers.Subscribe(_ => Poke());
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _requestSubscription?.Dispose();
        _approverSubscription?.Dispose();
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                OutboxPass pass;
                try
                {
                    pass = await RunOnceAsync(stoppingToken);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogError(ex, "An outbox pass failed; trying again in {Delay}", PollInterval);
                    pass = new OutboxPass(time.GetUtcNow(), 0, 0, null);
                }

                var wakeAt = pass.Now + PollInterval;
                if (pass.NextDue is { } due && due < wakeAt)
                {
                    wakeAt = due;
                }

                await ClockAlarm.SleepUntilAsync(time, wakeAt, _poke.WaitAsync, stoppingToken);

                // Several pokes while sending are one more pass, not one each.
                while (_poke.CurrentCount > 0)
                {
                    await _poke.WaitAsync(stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping; what is unsent stays in the outbox for the next start or another node.
        }
    }

    /// <summary>Sends every message due now that this node can claim; returns what it did and when the next message is due.</summary>
    public async Task<OutboxPass> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var sent = 0;
        var failed = 0;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var due = await Pending(db).Where(m => m.DueAt <= now && (m.LeaseUntil == null || m.LeaseUntil < now))
            .OrderBy(m => m.DueAt).Select(m => m.Id).Take(BatchSize).ToListAsync(cancellationToken);
        foreach (var id in due)
        {
            if (await ClaimAsync(db, id, now, cancellationToken) is not { } message)
            {
                continue;
            }

            try
            {
                if (!_senders.TryGetValue(message.Channel, out var sender))
                {
                    throw new InvalidOperationException($"No sender for {message.Channel} on this node.");
                }

                await sender.SendAsync(message, cancellationToken);
                await db.Set<OutboxMessage>().Where(m => m.Id == id && m.LeaseOwner == _owner).ExecuteUpdateAsync(s => s
                    .SetProperty(m => m.SentAt, time.GetUtcNow())
                    .SetProperty(m => m.Attempts, m => m.Attempts + 1)
                    .SetProperty(m => m.LeaseUntil, (DateTimeOffset?)null)
                    .SetProperty(m => m.LastError, (string?)null), CancellationToken.None);
                sent++;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                failed++;
                await RecordFailureAsync(db, message, ex);
            }
        }

        var next = await Pending(db).Where(m => m.LeaseUntil == null || m.LeaseUntil < now).OrderBy(m => m.DueAt).Select(m => (DateTimeOffset?)m.DueAt)
            .FirstOrDefaultAsync(cancellationToken);
        var backlog = await Pending(db).CountAsync(cancellationToken);
        LockboxMetrics.OutboxBacklog(backlog);
        var pass = new OutboxPass(now, sent, failed, next, backlog);
        PassCompleted?.Invoke(pass);
        return pass;
    }

    private static IQueryable<OutboxMessage> Pending(LockboxDbContext db) =>
        db.Set<OutboxMessage>().AsNoTracking().Where(m => m.SentAt == null && m.GaveUpAt == null);

    /// <summary>The lease: one conditional update; only the node whose update changed the row sends.</summary>
    private async Task<OutboxMessage?> ClaimAsync(LockboxDbContext db, Guid id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var leaseUntil = now + Lease;
        var claimed = await db.Set<OutboxMessage>()
            .Where(m => m.Id == id && m.SentAt == null && m.GaveUpAt == null && m.DueAt <= now && (m.LeaseUntil == null || m.LeaseUntil < now))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.LeaseUntil, leaseUntil).SetProperty(m => m.LeaseOwner, _owner), cancellationToken);
        return claimed == 1
            ? await db.Set<OutboxMessage>().AsNoTracking().SingleAsync(m => m.Id == id, cancellationToken)
            : null;
    }

    private async Task RecordFailureAsync(LockboxDbContext db, OutboxMessage message, Exception error)
    {
        var attempts = message.Attempts + 1;
        var now = time.GetUtcNow();
        var reason = $"{error.GetType().Name}: {error.Message}";
        reason = reason.Length > 2000 ? reason[..2000] : reason;
        DateTimeOffset? gaveUp = attempts >= OutboxMessage.MaxAttempts ? now : null;
        logger.LogWarning("Outbox message {Id} ({Type}) failed, attempt {Attempt}: {Reason}", message.Id, message.Type, attempts, reason);
        await db.Set<OutboxMessage>().Where(m => m.Id == message.Id && m.LeaseOwner == _owner).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.Attempts, attempts)
            .SetProperty(m => m.DueAt, now + OutboxMessage.BackoffAfter(attempts))
            .SetProperty(m => m.GaveUpAt, gaveUp)
            .SetProperty(m => m.LastError, reason)
            .SetProperty(m => m.LeaseUntil, (DateTimeOffset?)null), CancellationToken.None);
    }

    private Task Poke()
    {
        _poke.Release();
        return Task.CompletedTask;
    }
}
