using LockboxPortal.Data;
using LockboxPortal.Features.Approvers;
using LockboxPortal.Features.Tenants;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Features.Notifications;

/// <summary>The people who may decide a tenant's customer stage right now, as storage says at <c>now</c>.</summary>
public static class Recipients
{
    /// <summary>The approvers on the list whose authority stands, and everyone they actively delegate to; active accounts with an email.</summary>
    public static async Task<IReadOnlyList<PortalUser>> ApproversAndDelegatesAsync(LockboxDbContext db, Guid tenantId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var listed = await db.ApproverListEntries.Where(e => e.TenantId == tenantId).Select(e => e.UserId).ToListAsync(cancellationToken);
        var approvers = new List<string>();
        foreach (var id in listed)
        {
            if (await ApprovalAuthorities.IsDirectApproverAsync(db, id, tenantId, cancellationToken))
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
