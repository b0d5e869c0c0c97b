using System.Security.Claims;
using LockboxPortal.Authorization;
using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.AccessRequests.Signing;
using LockboxPortal.Features.Audit;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Features.Grants;

/// <summary>An active grant as the grant pages show it, with the fresh-factor window a revoke must prove a factor within (null: none).</summary>
public sealed record ActiveGrant(
    Guid RequestId,
    string Reference,
    Guid TenantId,
    string TenantName,
    string RequesterName,
    string Scope,
    AccessLevel AccessLevel,
    DateTimeOffset StartsAt,
    DateTimeOffset EndsAt,
    TimeSpan? FreshFactorWindow = null);

/// <summary>
/// The grant lifecycle after approval: revoke, release, the lists of active grants, and the timed transitions
/// (pending requests expire or escalate, grants complete) that the <see cref="DeadlineTimer"/> applies through
/// <see cref="IDeadlineSource"/>. Each operation is one transaction that writes the change and its audit entry
/// together, then publishes; the timed ones work in batches of <see cref="BatchSize"/>, one transaction each.
/// </summary>
public sealed class GrantService(
    LockboxTransactions transactions,
    IDbContextFactory<LockboxDbContext> dbFactory,
    RequestGate gate,
    AuditWriter audit,
    RequestNotifier notifier,
    IDatabaseProvider database,
    OpenRequestCloser closer,
    TimeProvider time) : IDeadlineSource
{
    /// <summary>
    /// Transitions per transaction: large enough that 10,000 grants ending together close in seconds (bench/README.md),
    /// small enough that the write lock is held for well under a second.
    /// </summary>
    public const int BatchSize = 500;

    private const string Subject = RequestGate.Subject;

    /// <summary>A tenant approver or security officer ends an active grant early; access is refused from this moment.</summary>
    public async Task<AccessRequest> RevokeAsync(
        ClaimsPrincipal principal, Guid requestId, string? reason, FreshFactor? factor = null, CancellationToken cancellationToken = default)
    {
        var (request, change) = await transactions.RunAsync<(AccessRequest, List<RequestEvent>)>(async db =>
        {
            var loaded = await gate.LoadForAsync(db, principal, requestId, RequestOperations.Revoke, cancellationToken, factor, DecisionStatement.Revoke);
            var (user, tracked, _) = loaded;
            await gate.ApplyAsync(loaded, nameof(RequestOperations.Revoke), () => tracked.Revoke(user.Actor, reason, time.GetUtcNow()), cancellationToken);
            await audit.AppendAsync(db, Record(AuditEventType.Grant_Revoked, user.Actor, tracked, new
            {
                tracked.Reference,
                Reason = reason!.Trim(),
                tracked.GrantEndsAt,
                loaded.FreshFactor,
                Signature = loaded.KeepSignature(db),
            }, user.Client), cancellationToken);
            var closed = await CloseExtensionsAsync(db, tracked, user, cancellationToken);
            return (tracked, [await notifier.RaiseAsync(db, tracked, RequestEventKind.Revoked, user.Actor, cancellationToken), .. closed]);
        }, cancellationToken);

        await PublishAsync(change);
        return request;
    }

    /// <summary>The engineer ends their own grant when the work is done.</summary>
    public async Task<AccessRequest> ReleaseAsync(ClaimsPrincipal principal, Guid requestId, CancellationToken cancellationToken = default)
    {
        var (request, change) = await transactions.RunAsync<(AccessRequest, List<RequestEvent>)>(async db =>
        {
            var loaded = await gate.LoadForAsync(db, principal, requestId, RequestOperations.Release, cancellationToken);
            var (user, tracked, _) = loaded;
            await gate.ApplyAsync(loaded, nameof(RequestOperations.Release), () => tracked.Release(user.Actor, time.GetUtcNow()), cancellationToken);
            await audit.AppendAsync(db, Record(AuditEventType.Grant_Released, user.Actor, tracked, new
            {
                tracked.Reference,
                tracked.GrantEndsAt,
            }, user.Client), cancellationToken);
            var closed = await CloseExtensionsAsync(db, tracked, user, cancellationToken);
            return (tracked, [await notifier.RaiseAsync(db, tracked, RequestEventKind.Released, user.Actor, cancellationToken), .. closed]);
        }, cancellationToken);

        await PublishAsync(change);
        return request;
    }

    /// <summary>
    /// Active grants in every tenant where this person may revoke (the Revoke rule: a TenantAdmin who may decide there,
    /// or its security officer), soonest end first. Someone who is neither anywhere is refused (recorded) and, as the
    /// page expects, shown an empty list.
    /// </summary>
    public async Task<IReadOnlyList<ActiveGrant>> ListActiveForTenantsAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await gate.PermittedAsync(db, principal, RequestCollectionOperations.ListTenantGrants, cancellationToken) is not { } user)
        {
            return [];
        }

        var tenants = await gate.TenantsWhereAsync(db, user, RequestAuthorizationHandler.MayRevokeIn, cancellationToken);

        return await ActiveAsync(db, db.AccessRequests.Where(r => tenants.Contains(r.TenantId)), cancellationToken);
    }

    /// <summary>The engineer's own active grants, soonest end first.</summary>
    public async Task<IReadOnlyList<ActiveGrant>> ListMyActiveAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var user = await gate.AuthorizeAsync(db, principal, RequestCollectionOperations.ListMyGrants, cancellationToken);
        return await ActiveAsync(db, db.AccessRequests.Where(r => r.RequesterId == user.UserId), cancellationToken);
    }

    /// <summary>Expires every pending request whose deadline is at or before <paramref name="now"/>; returns how many this call expired.</summary>
    public Task<int> ExpireDueAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        ApplyDueInBatchesAsync(
            db => db.AccessRequests
                .Where(r => (r.Status == RequestStatus.PendingInternal || r.Status == RequestStatus.PendingCustomer) && r.ExpiresAt <= now)
                .OrderBy(r => r.ExpiresAt),
            (request, at) =>
            {
                request.Expire(at);
                return (AuditEventType.AccessRequest_Expired, RequestEventKind.Expired, new { request.Reference, Deadline = request.ExpiresAt });
            },
            now,
            cancellationToken);

    /// <summary>
    /// Escalates every request still awaiting the customer whose escalation moment is at or before <paramref name="now"/>
    /// (and whose deadline is not): from then on the tenant's escalation approvers may decide it, and the event tells
    /// them by email. Returns how many this call escalated.
    /// </summary>
    public Task<int> EscalateDueAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        ApplyDueInBatchesAsync(
            db => db.AccessRequests
                .Where(r => r.Status == RequestStatus.PendingCustomer && r.EscalatedAt == null && r.EscalatesAt <= now && r.ExpiresAt > now)
                .OrderBy(r => r.EscalatesAt),
            (request, at) =>
            {
                request.Escalate(at);
                return (AuditEventType.AccessRequest_Escalated, RequestEventKind.Escalated, new { request.Reference, Moment = request.EscalatesAt, request.ExpiresAt });
            },
            now,
            cancellationToken);

    /// <summary>Completes every grant whose end is at or before <paramref name="now"/>; returns how many this call completed.</summary>
    public Task<int> CompleteDueAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        ApplyDueInBatchesAsync(
            db => db.AccessRequests
                .Where(r => r.Status == RequestStatus.Approved && r.GrantEndsAt <= now)
                .OrderBy(r => r.GrantEndsAt),
            (request, at) =>
            {
                request.Complete(at);
                return (AuditEventType.Grant_Completed, RequestEventKind.Completed, new { request.Reference, request.GrantEndsAt });
            },
            now,
            cancellationToken);

    /// <summary>
    /// Marks unratified every emergency that nobody ratified or rejected by the end of its tenant's window (its
    /// <see cref="AccessRequest.ExpiresAt"/>), audited by the system; returns how many this call marked. Its engineer's
    /// next emergency in that tenant is refused until an officer reviews it.
    /// </summary>
    public Task<int> MarkUnratifiedDueAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        ApplyDueInBatchesAsync(
            db => db.AccessRequests
                .Where(r => r.Ratification == Ratification.Pending && r.ExpiresAt <= now)
                .OrderBy(r => r.ExpiresAt),
            (request, at) =>
            {
                request.MarkUnratified(at);
                return (AuditEventType.Emergency_Unratified, RequestEventKind.EmergencyUnratified,
                    new { request.Reference, request.IncidentReference, Deadline = request.ExpiresAt, Approvals = request.CustomerApprovals.Count, request.RequiredApprovals });
            },
            now,
            cancellationToken);

    /// <summary>The earliest pending deadline, grant end or ratification deadline still to act on.</summary>
    public async Task<DateTimeOffset?> NextDeadlineAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);

        // One query per status, so each reads the first entry of its (Status, deadline) index.
        var pendingInternal = await EarliestAsync(db.AccessRequests.Where(r => r.Status == RequestStatus.PendingInternal), r => r.ExpiresAt, cancellationToken);
        var pendingCustomer = await EarliestAsync(db.AccessRequests.Where(r => r.Status == RequestStatus.PendingCustomer), r => r.ExpiresAt, cancellationToken);
        var grantEnd = await EarliestAsync(db.AccessRequests.Where(r => r.Status == RequestStatus.Approved), r => r.GrantEndsAt!.Value, cancellationToken);
        var escalation = await EarliestAsync(
            db.AccessRequests.Where(r => r.Status == RequestStatus.PendingCustomer && r.EscalatesAt != null && r.EscalatedAt == null), r => r.EscalatesAt!.Value, cancellationToken);
        var ratification = await EarliestAsync(db.AccessRequests.Where(r => r.Ratification == Ratification.Pending), r => r.ExpiresAt, cancellationToken);
        return new[] { pendingInternal, pendingCustomer, grantEnd, escalation, ratification }.Where(d => d is not null).Min();
    }

    Task<DateTimeOffset?> IDeadlineSource.NextDueAsync(CancellationToken cancellationToken) => NextDeadlineAsync(cancellationToken);

    async Task<int> IDeadlineSource.ApplyDueAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        await ExpireDueAsync(now, cancellationToken) + await EscalateDueAsync(now, cancellationToken) + await CompleteDueAsync(now, cancellationToken)
        + await MarkUnratifiedDueAsync(now, cancellationToken);

    /// <summary>
    /// Applies one kind of timed transition to everything the query finds, a batch per transaction. The query's state
    /// and deadline conditions, re-read on every attempt, and the concurrency token on each row make this safe on
    /// several instances: when another instance saved first, the batch is retried on fresh data, which no longer
    /// holds what that instance already did. Nothing is applied or audited twice.
    /// </summary>
    private async Task<int> ApplyDueInBatchesAsync(
        Func<LockboxDbContext, IQueryable<AccessRequest>> due,
        Func<AccessRequest, DateTimeOffset, (AuditEventType Audit, RequestEventKind Event, object Details)> apply,
        DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var total = 0;
        var lostRaces = 0;
        while (true)
        {
            // The moment the change is applied: the real time when the timer runs late, never before the cutoff.
            var at = Later(now, time.GetUtcNow());
            List<RequestEvent> applied;
            try
            {
                applied = await transactions.RunAsync(async db =>
                {
                    // Claimed rows are this instance's until it commits; another node's timer skips them and takes
                    // the next ones (FOR UPDATE SKIP LOCKED on PostgreSQL). Re-read under the claim: a row another
                    // node finished meanwhile no longer matches the query.
                    var candidates = await due(db).Select(r => r.Id).Take(BatchSize).ToListAsync(cancellationToken);
                    var claimed = await database.ClaimAsync<AccessRequest>(db, candidates, cancellationToken);
                    var batch = await due(db).Where(r => claimed.Contains(r.Id)).ToListAsync(cancellationToken);
                    var changes = new List<RequestEvent>(batch.Count);

                    // Each audit append looks at the unsaved entries; without this, every look re-scans every tracked
                    // row for changes, which makes a batch quadratic. Changes are detected once, before saving.
                    db.ChangeTracker.AutoDetectChangesEnabled = false;
                    foreach (var request in batch)
                    {
                        var (auditType, kind, details) = apply(request, at);
                        await audit.AppendAsync(db, Record(auditType, Actor.System, request, details), cancellationToken);
                        changes.Add(await notifier.RaiseAsync(db, request, kind, Actor.System, cancellationToken));
                    }

                    db.ChangeTracker.AutoDetectChangesEnabled = true;
                    return changes;
                }, cancellationToken);
            }
            catch (ConcurrentChangeException) when (++lostRaces < 100)
            {
                // Other instances kept winning this batch; they are doing the work. Look again.
                continue;
            }

            foreach (var change in applied)
            {
                await notifier.PublishAsync(change);
            }

            total += applied.Count;
            if (applied.Count < BatchSize)
            {
                return total;
            }
        }
    }

    private async Task<IReadOnlyList<ActiveGrant>> ActiveAsync(LockboxDbContext db, IQueryable<AccessRequest> requests, CancellationToken cancellationToken)
    {
        // Ended windows are not active even if the timer has not closed them yet.
        var now = time.GetUtcNow();
        var active = await requests
            .Where(r => r.Status == RequestStatus.Approved && r.GrantEndsAt > now)
            .OrderBy(r => r.GrantEndsAt)
            .Take(500)
            .AsNoTracking()
            .ToListAsync(cancellationToken);
        var tenantIds = active.Select(r => r.TenantId).Distinct().ToList();
        var tenants = await db.Tenants.AsNoTracking().Where(t => tenantIds.Contains(t.Id)).ToDictionaryAsync(t => t.Id, cancellationToken);
        return active
            .Select(r => new ActiveGrant(
                r.Id, r.Reference, r.TenantId, tenants[r.TenantId].Name, r.RequesterName, r.Scope, r.AccessLevel, r.GrantStartsAt!.Value, r.GrantEndsAt!.Value,
                tenants[r.TenantId].Policy.FreshFactorWindowRequired))
            .ToList();
    }

    /// <summary>
    /// A grant ended early (revoked or released): an extension still waiting for decisions on it expires with it, audited
    /// in the same transaction. (One ending by its time needs nothing here: an extension's deadline is never past the grant's end.)
    /// </summary>
    private async Task<IReadOnlyList<RequestEvent>> CloseExtensionsAsync(LockboxDbContext db, AccessRequest ended, ActingUser user, CancellationToken cancellationToken)
    {
        var pending = await db.AccessRequests
            .Where(r => r.ExtendsRequestId == ended.Id && (r.Status == RequestStatus.PendingInternal || r.Status == RequestStatus.PendingCustomer))
            .ToListAsync(cancellationToken);
        var why = $"The grant of {ended.Reference} ended ({RequestWords.Status(ended.Status).ToLowerInvariant()}), so there is nothing left to extend.";
        return await closer.CloseAsync(db, pending, user, extension => extension.CloseWithGrant(why, time.GetUtcNow()), cancellationToken);
    }

    private async Task PublishAsync(IEnumerable<RequestEvent> changes)
    {
        foreach (var change in changes)
        {
            await notifier.PublishAsync(change);
        }
    }

    private static async Task<DateTimeOffset?> EarliestAsync(
        IQueryable<AccessRequest> requests, System.Linq.Expressions.Expression<Func<AccessRequest, DateTimeOffset>> deadline, CancellationToken cancellationToken)
    {
        var first = await requests.OrderBy(deadline).Select(deadline).Take(1).ToListAsync(cancellationToken);
        return first.Count == 0 ? null : first[0];
    }

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static AuditRecord Record(AuditEventType type, Actor actor, AccessRequest request, object details, ClientInfo? client = null) =>
        new(type, actor, request.TenantId, Subject, request.Id.ToString(), AuditRecord.Details(details), Client: client);
}
