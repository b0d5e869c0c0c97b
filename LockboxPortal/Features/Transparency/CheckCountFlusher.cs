using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Audit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LockboxPortal.Features.Transparency;

/// <summary>
/// Writes the <see cref="CheckCounter"/>'s counts every <see cref="TransparencyOptions.FlushInterval"/>, on
/// <see cref="TimeProvider"/>: one transaction adds each grant's new checks to its minute's row and, for each minute
/// that is over, appends one audit entry (<see cref="AuditEventType.Grant_ChecksCounted"/>) with this node's count for
/// it. Then each grant's open page hears a request event and reads again. It flushes once more when the app stops.
/// </summary>
/// <remarks>
/// One entry per grant and minute keeps the trail readable under a busy data plane (a grant checked a thousand times a
/// minute adds one entry a minute, not a thousand). With several nodes each writes its own entry for the minutes it
/// counted, and the stored row holds their sum.
/// </remarks>
public sealed class CheckCountFlusher(
    CheckCounter counter,
    LockboxTransactions transactions,
    IServiceProvider services,
    RequestNotifier notifier,
    IOptions<TransparencyOptions> options,
    TimeProvider time,
    ILogger<CheckCountFlusher> logger) : PeriodicFlusher(options.Value.FlushInterval, time, logger)
{
    public static readonly Actor Counter = new("system:check-counter", "Access checks");

    private readonly AuditWriter _audit = AuditWriter.Unscoped(services);

    /// <summary>One flush at a time on a node, so a flush asked for (at shutdown, in a test) waits for the running one to commit.</summary>
    private readonly SemaphoreSlim _one = new(1, 1);

    protected override string What => "the counted access checks";

    protected override Task FlushDueAsync(bool all, CancellationToken cancellationToken) => FlushAsync(cancellationToken, closeAll: all);

    /// <summary>
    /// Writes what was counted up to now; <paramref name="closeAll"/> (at shutdown) also closes the minute still running,
    /// so its audit entry is written with what this node counted. Returns how many grant-minutes it wrote.
    /// </summary>
    public async Task<int> FlushAsync(CancellationToken cancellationToken = default, bool closeAll = false)
    {
        await _one.WaitAsync(cancellationToken);
        try
        {
            return await FlushOnceAsync(closeAll, cancellationToken);
        }
        finally
        {
            _one.Release();
        }
    }

    private async Task<int> FlushOnceAsync(bool closeAll, CancellationToken cancellationToken)
    {
        var now = Time.GetUtcNow();
        var pending = counter.Take(closeAll ? now.AddMinutes(1) : now);
        if (pending.Count == 0)
        {
            return 0;
        }

        IReadOnlyList<RequestEvent> changes;
        try
        {
            changes = await transactions.RunAsync(db => WriteAsync(db, pending, cancellationToken), cancellationToken);
        }
        catch
        {
            counter.Restore(pending);
            throw;
        }

        CheckCounter.Flushed(pending);
        foreach (var change in changes)
        {
            await notifier.PublishAsync(change);
        }

        return pending.Count;
    }

    private async Task<IReadOnlyList<RequestEvent>> WriteAsync(LockboxDbContext db, IReadOnlyList<PendingTally> pending, CancellationToken cancellationToken)
    {
        var requestIds = pending.Select(p => p.Bucket.RequestId).Distinct().ToList();
        var earliest = pending.Min(p => p.Bucket.Minute);
        var requests = await db.AccessRequests.AsNoTracking().Where(r => requestIds.Contains(r.Id)).ToDictionaryAsync(r => r.Id, cancellationToken);
        var rows = await db.GrantCheckMinutes.Where(m => requestIds.Contains(m.RequestId) && m.Minute >= earliest).ToListAsync(cancellationToken);
        var now = Time.GetUtcNow();
        var changed = new Dictionary<Guid, RequestEvent>();
        foreach (var tally in pending.OrderBy(p => p.Bucket.Minute))
        {
            var (bucket, total, delta) = (tally.Bucket, tally.Total, tally.Delta);
            if (!requests.TryGetValue(bucket.RequestId, out var request))
            {
                continue;
            }

            if (!delta.IsEmpty)
            {
                var row = rows.SingleOrDefault(r => r.RequestId == bucket.RequestId && r.Minute == bucket.Minute);
                if (row is null)
                {
                    row = new GrantCheckMinute(Guid.NewGuid(), bucket.RequestId, bucket.TenantId, bucket.Minute);
                    db.GrantCheckMinutes.Add(row);
                    rows.Add(row);
                }

                row.Add(delta);
                changed[request.Id] = new RequestEvent(
                    request.Id, request.Reference, request.TenantId, request.RequesterId, request.Status, RequestEventKind.ChecksCounted, Counter.DisplayName, now,
                    request.ExtendsRequestId);
            }

            if (tally.Closes && !total.IsEmpty)
            {
                await _audit.AppendAsync(db, new AuditRecord(AuditEventType.Grant_ChecksCounted, Counter, request.TenantId, RequestGate.Subject, request.Id.ToString(),
                    AuditRecord.Details(new
                    {
                        request.Reference,
                        Minute = bucket.Minute,
                        total.Allowed,
                        total.FirstAllowedAt,
                        total.LastAllowedAt,
                        total.Refused,
                        total.FirstRefusedAt,
                        total.LastRefusedAt,
                    })), cancellationToken);
            }
        }

        return [.. changed.Values];
    }
}
