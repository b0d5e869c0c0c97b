using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Audit;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Features.Grants;

/// <summary>One grant event for the data plane: opened, ended, revoked or released, with its audit entry's id as the event id.</summary>
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
    };

    /// <summary>The request events after which new grant events may be in the trail.</summary>
    private static readonly HashSet<RequestEventKind> GrantKinds =
        [RequestEventKind.CustomerApproved, RequestEventKind.Completed, RequestEventKind.Revoked, RequestEventKind.Released, RequestEventKind.Expired];

    private static readonly AuditEventType[] Kinds = [.. Types.Keys];

    /// <summary>The id a new stream starts after: the trail's newest entry now.</summary>
    public async Task<long> NewestIdAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.AuditEntries.MaxAsync(e => (long?)e.Id, cancellationToken) ?? 0;
    }

    /// <summary>Grant events with an id above <paramref name="after"/>, oldest first, at most <see cref="PageSize"/>.</summary>
    public async Task<IReadOnlyList<GrantEvent>> ReadAfterAsync(long after, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var entries = await db.AuditEntries.AsNoTracking()
            .Where(e => e.Id > after && Kinds.Contains(e.EventType))
            .OrderBy(e => e.Id)
            .Take(PageSize)
            .Select(e => new { e.Id, e.EventType, e.OccurredAt, e.SubjectId })
            .ToListAsync(cancellationToken);
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
