using LockboxPortal.Authorization;
using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Tenants;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Features.Approvers;

/// <summary>
/// Reads a person's customer-stage authority from storage, as it stands at <c>now</c>. Nothing is cached: removing
/// someone from the list, lowering their role or ending a delegation changes the very next answer.
/// </summary>
public static class ApprovalAuthorities
{
    public static async Task<ApprovalAuthority> ForAsync(LockboxDbContext db, ActingUser user, Guid tenantId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!user.Memberships.HasTenantRole(tenantId, PortalRole.TenantAdmin))
        {
            return ApprovalAuthority.None;
        }

        var onList = await db.ApproverListEntries.AnyAsync(e => e.TenantId == tenantId && e.UserId == user.UserId, cancellationToken);
        var delegators = await ActiveDelegatorsAsync(db, user.UserId, tenantId, now, IsDirectApproverAsync, cancellationToken);
        return new ApprovalAuthority(onList, delegators);
    }

    /// <summary>
    /// A person's authority over one request: their authority in its tenant and, once the request was escalated, the
    /// authority of the escalation list (their own place on it, and delegations from people on it). One result, so the
    /// handler, the quorum count and the fresh-factor rules treat an escalation approver exactly like an approver.
    /// </summary>
    public static async Task<ApprovalAuthority> ForRequestAsync(LockboxDbContext db, ActingUser user, AccessRequest request, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var own = await ForAsync(db, user, request.TenantId, now, cancellationToken);
        if (request.EscalatedAt is null)
        {
            return own;
        }

        var escalation = await ForEscalationAsync(db, user, request.TenantId, now, cancellationToken);
        if (!escalation.CanDecide)
        {
            return own;
        }

        var delegators = own.Delegators.Concat(escalation.Delegators).DistinctBy(d => d.UserId).ToList();
        return new ApprovalAuthority(own.OnApproverList || escalation.OnApproverList, delegators) { ByEscalation = !own.CanDecide };
    }

    /// <summary>What the escalation list lends this person in a tenant (for escalated requests only).</summary>
    public static async Task<ApprovalAuthority> ForEscalationAsync(LockboxDbContext db, ActingUser user, Guid tenantId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!user.Memberships.HasTenantRole(tenantId, PortalRole.TenantAdmin))
        {
            return ApprovalAuthority.None;
        }

        var onList = await db.EscalationListEntries.AnyAsync(e => e.TenantId == tenantId && e.UserId == user.UserId, cancellationToken);
        var delegators = await ActiveDelegatorsAsync(db, user.UserId, tenantId, now, IsDirectEscalationApproverAsync, cancellationToken);
        return new ApprovalAuthority(onList, delegators);
    }

    /// <summary>An active TenantAdmin of the tenant on its escalation list.</summary>
    public static async Task<bool> IsDirectEscalationApproverAsync(LockboxDbContext db, string userId, Guid tenantId, CancellationToken cancellationToken) =>
        await db.EscalationListEntries.AnyAsync(e => e.TenantId == tenantId && e.UserId == userId, cancellationToken)
        && await IsActiveTenantAdminAsync(db, userId, tenantId, cancellationToken);

    /// <summary>The tenants in which this person may decide at the customer stage, for themselves or as a delegate.</summary>
    public static async Task<IReadOnlyList<Guid>> TenantsWhereDeciderAsync(LockboxDbContext db, ActingUser user, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var result = new List<Guid>();
        foreach (var tenantId in user.Memberships.TenantsWithRole(PortalRole.TenantAdmin))
        {
            if ((await ForAsync(db, user, tenantId, now, cancellationToken)).CanDecide)
            {
                result.Add(tenantId);
            }
        }

        return result;
    }

    /// <summary>
    /// Whether this person's own authority stands right now: an active account, a TenantAdmin of the tenant, and on
    /// its approver list. A delegation lends exactly this, so a delegator who loses it lends nothing any more.
    /// </summary>
    public static async Task<bool> IsDirectApproverAsync(LockboxDbContext db, string userId, Guid tenantId, CancellationToken cancellationToken) =>
        await db.ApproverListEntries.AnyAsync(e => e.TenantId == tenantId && e.UserId == userId, cancellationToken)
        && await IsActiveTenantAdminAsync(db, userId, tenantId, cancellationToken);

    public static async Task<bool> IsActiveTenantAdminAsync(LockboxDbContext db, string userId, Guid tenantId, CancellationToken cancellationToken) =>
        await db.Memberships.AnyAsync(m => m.UserId == userId && m.TenantId == tenantId && m.Role == PortalRole.TenantAdmin, cancellationToken)
        && await db.Users.AnyAsync(u => u.Id == userId && u.IsActive, cancellationToken);

    /// <summary>The people whose delegation to this person is active now and whose own authority (<paramref name="stands"/>) still stands.</summary>
    private static async Task<IReadOnlyList<Actor>> ActiveDelegatorsAsync(
        LockboxDbContext db, string userId, Guid tenantId, DateTimeOffset now, Func<LockboxDbContext, string, Guid, CancellationToken, Task<bool>> stands, CancellationToken cancellationToken)
    {
        var candidates = await db.Delegations.AsNoTracking()
            .Where(d => d.TenantId == tenantId && d.DelegateId == userId && d.RevokedAt == null)
            .ToListAsync(cancellationToken);

        var delegators = new List<Actor>();
        foreach (var delegation in candidates.Where(d => d.IsActiveAt(now)).OrderBy(d => d.StartsAt).ThenBy(d => d.DelegatorName, StringComparer.Ordinal))
        {
            if (delegators.Any(a => a.UserId == delegation.DelegatorId)
                || !await stands(db, delegation.DelegatorId, tenantId, cancellationToken))
            {
                continue;
            }

            var delegator = await db.Users.AsNoTracking().SingleAsync(u => u.Id == delegation.DelegatorId, cancellationToken);
            delegators.Add(delegator.ToActor());
        }

        return delegators;
    }
}
