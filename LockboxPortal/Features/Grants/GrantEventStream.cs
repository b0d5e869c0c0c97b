using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Audit;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Features.Grants;

/// <summary>One grant event for the data plane: opened, extended, ended, revoked or released, with its audit entry's id as the event id.</summary>
public sealed record GrantEvent(
    long Id,
    string Type,
    DateTimeOffset At,
    Guid RequestId,
    string Reference,
    Guid TenantId,
    string Tenant,
    string Engineer,
    string EngineerName,
    string Scope,
    AccessLevel AccessLevel,
    DateTimeOffset? GrantStartsAt,
    DateTimeOffset? GrantEndsAt);

/// <summary>
/// The grant events a service client's stream carries (<c>GET /api/v1/grant-events</c>), read from the audit trail,
/// which holds every grant start, end, revoke and release in the transaction that made it: so a stream resumed with the
/// last id it saw misses nothing that committed, on any node.
/// </summary>
public sealed class GrantEventStream(IDbContextFactory<LockboxDbContext> dbFactory, RequestNotifier notifier)
{
    public const int PageSize = 500;

    public static readonly IReadOnlyDictionary<AuditEventType, string> Types = new Dictionary<AuditEventType, string>
    {
        [AuditEventType.Grant_Opened] = "grant.opened",
        [AuditEventType.Grant_Completed] = "grant.ended",
        [AuditEventType.Grant_Revoked] = "grant.revoked",
        [AuditEventType.Grant_Released] = "grant.released",
        [AuditEventType.Grant_Extended] = "grant.extended",
    };

    /// <summary>
    /// The request events after which new grant events may be in the trail: a declared emergency opens a grant, and a
    /// rejected one revokes it while it runs, without a CustomerApproved or Revoked event of their own.
    /// </summary>
    private static readonly HashSet<RequestEventKind> GrantKinds =
    [
        RequestEventKind.CustomerApproved, RequestEventKind.Completed, RequestEventKind.Revoked, RequestEventKind.Released, RequestEventKind.Expired,
        RequestEventKind.Extended, RequestEventKind.EmergencyDeclared, RequestEventKind.EmergencyRejected,
    ];

    private static readonly AuditEventType[] Kinds = [.. Types.Keys];

    /// <summary>The id a new stream starts after: the trail's newest entry now.</summary>
    public async Task<long> NewestIdAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.AuditEntries.MaxAsync(e => (long?)e.Id, cancellationToken) ?? 0;
    }

    /// <summary>When the entry a stream resumes after was written (null: no such entry), to settle from just before it.</summary>
    public async Task<DateTimeOffset?> WrittenAtAsync(long id, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.AuditEntries.Where(e => e.Id == id).Select(e => (DateTimeOffset?)e.OccurredAt).SingleOrDefaultAsync(cancellationToken);
    }

    /// <summary>
    /// How far back a read looks again. Entries of different tenants' chains take their ids before they commit, so on
    /// PostgreSQL one may become visible just after a higher id was read; reading again the last moments' ids (and
    /// skipping those already sent) still delivers it.
    /// </summary>
    public static readonly TimeSpan Settle = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Grant events with an id above <paramref name="after"/>, and those from <paramref name="settleFrom"/> on with an
    /// id at most 10,000 below it, oldest first, without the ids in <paramref name="sent"/>; at most <see cref="PageSize"/>.
    /// </summary>
    public async Task<IReadOnlyList<GrantEvent>> ReadAfterAsync(long after, DateTimeOffset? settleFrom, IReadOnlySet<long> sent, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var floor = Math.Max(0, after - 10_000);
        var query = db.AuditEntries.AsNoTracking().Where(e => Kinds.Contains(e.EventType));
        query = settleFrom is { } from
            ? query.Where(e => e.Id > after || (e.Id > floor && e.OccurredAt >= from))
            : query.Where(e => e.Id > after);
        var entries = (await query
            .OrderBy(e => e.Id)
            .Take(PageSize + sent.Count)
            .Select(e => new { e.Id, e.EventType, e.OccurredAt, e.SubjectId })
            .ToListAsync(cancellationToken))
            .Where(e => !sent.Contains(e.Id))
            .Take(PageSize)
            .ToList();
        if (entries.Count == 0)
        {
            return [];
        }

        var ids = entries.Select(e => Guid.TryParse(e.SubjectId, out var id) ? id : Guid.Empty).Distinct().ToList();
        var requests = await db.AccessRequests.AsNoTracking().Where(r => ids.Contains(r.Id))
            .Join(db.Tenants, r => r.TenantId, t => t.Id, (r, t) => new { Request = r, t.ShortName })
            .ToDictionaryAsync(x => x.Request.Id.ToString(), cancellationToken);
        return entries
            .Where(e => requests.ContainsKey(e.SubjectId))
            .Select(e =>
            {
                var (r, tenant) = (requests[e.SubjectId].Request, requests[e.SubjectId].ShortName);
                return new GrantEvent(e.Id, Types[e.EventType], e.OccurredAt, r.Id, r.Reference, r.TenantId, tenant, r.RequesterId, r.RequesterName,
                    r.Scope, r.AccessLevel, r.GrantStartsAt, r.GrantEndsAt);
            })
            .ToList();
    }

    /// <summary>
    /// Calls <paramref name="wake"/> whenever new grant events may have committed (a grant's request changed on any
    /// node, or the transport may have missed events), until disposed.
    /// </summary>
    public IDisposable Watch(Action wake)
    {
        var changes = notifier.Subscribe(change =>
        {
            if (GrantKinds.Contains(change.Kind))
            {
                wake();
            }

            return Task.CompletedTask;
        });
        var missed = notifier.OnMissedEvents(() =>
        {
            wake();
            return Task.CompletedTask;
        });
        return new Both(changes, missed);
    }

    private sealed class Both(IDisposable first, IDisposable second) : IDisposable
    {
        public void Dispose()
        {
            first.Dispose();
            second.Dispose();
        }
    }
}
