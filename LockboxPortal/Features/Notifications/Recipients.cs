using LockboxPortal.Data;
using LockboxPortal.Features.Approvers;
using LockboxPortal.Features.Tenants;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Features.Notifications;

/// <summary>The people who may decide a tenant's customer stage right now, as storage says at <c>now</c>.</summary>
public static class Recipients
{
    /// <summary>The approvers on the list whose authority stands, and everyone they actively delegate to; active accounts with an email.</summary>
    public static async Task<IReadOnlyList<PortalUser>> ApproversAndDelegatesAsync(LockboxDbContext db, Guid tenantId, DateTimeOffset now, CancellationToken cancellationToken) =>
        await ListedAndDelegatesAsync(db, tenantId, now,
            await db.ApproverListEntries.Where(e => e.TenantId == tenantId).Select(e => e.UserId).ToListAsync(cancellationToken),
            ApprovalAuthorities.IsDirectApproverAsync, cancellationToken);

    /// <summary>The people on the escalation list whose place stands, and everyone they actively delegate to.</summary>
    public static async Task<IReadOnlyList<PortalUser>> EscalationApproversAndDelegatesAsync(LockboxDbContext db, Guid tenantId, DateTimeOffset now, CancellationToken cancellationToken) =>
        await ListedAndDelegatesAsync(db, tenantId, now,
            await db.EscalationListEntries.Where(e => e.TenantId == tenantId).Select(e => e.UserId).ToListAsync(cancellationToken),
            ApprovalAuthorities.IsDirectEscalationApproverAsync, cancellationToken);

    /// <summary>Who may decide this request now: its tenant's approvers and delegates, and once it was escalated, the escalation list's too.</summary>
    public static async Task<IReadOnlyList<PortalUser>> DecidersAsync(LockboxDbContext db, AccessRequests.AccessRequest request, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var people = await ApproversAndDelegatesAsync(db, request.TenantId, now, cancellationToken);
        return request.EscalatedAt is null
            ? people
            : people.Concat(await EscalationApproversAndDelegatesAsync(db, request.TenantId, now, cancellationToken)).DistinctBy(p => p.Id).ToList();
    }

    private static async Task<IReadOnlyList<PortalUser>> ListedAndDelegatesAsync(
        LockboxDbContext db, Guid tenantId, DateTimeOffset now, List<string> listed,
        Func<LockboxDbContext, string, Guid, CancellationToken, Task<bool>> stands, CancellationToken cancellationToken)
    {
        var approvers = new List<string>();
        foreach (var id in listed)
        {
            if (await stands(db, id, tenantId, cancellationToken))
            {
                approvers.Add(id);
            }
        }

        var delegations = await db.Delegations.AsNoTracking()
            .Where(d => d.TenantId == tenantId && d.RevokedAt == null && approvers.Contains(d.DelegatorId))
            .ToListAsync(cancellationToken);
        var ids = new List<string>(approvers);
        foreach (var delegateId in delegations.Where(d => d.IsActiveAt(now)).Select(d => d.DelegateId).Distinct())
        {
            if (!ids.Contains(delegateId) && await ApprovalAuthorities.IsActiveTenantAdminAsync(db, delegateId, tenantId, cancellationToken))
            {
                ids.Add(delegateId);
            }
        }

        var people = await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id) && u.IsActive && u.Email != null).ToListAsync(cancellationToken);
        return people.OrderBy(p => ids.IndexOf(p.Id)).ToList();
    }
}
