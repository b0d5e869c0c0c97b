using LockboxPortal.Authorization;
using LockboxPortal.Data;
using LockboxPortal.Features.Tenants;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Features.Approvers;

/// <summary>Reads a person's customer-stage authority from storage, as it stands at this moment.</summary>
public static class ApprovalAuthorities
{
    public static async Task<ApprovalAuthority> ForAsync(LockboxDbContext db, ActingUser user, Guid tenantId, CancellationToken cancellationToken)
    {
        if (!user.Memberships.HasTenantRole(tenantId, PortalRole.TenantAdmin))
        {
            return ApprovalAuthority.None;
        }

        var onList = await db.ApproverListEntries.AnyAsync(e => e.TenantId == tenantId && e.UserId == user.UserId, cancellationToken);
        return new ApprovalAuthority(onList, []);
    }

    /// <summary>The tenants in which this person may decide at the customer stage.</summary>
    public static async Task<IReadOnlyList<Guid>> TenantsWhereDeciderAsync(LockboxDbContext db, ActingUser user, CancellationToken cancellationToken)
    {
        var adminOf = user.Memberships.TenantsWithRole(PortalRole.TenantAdmin);
        return await db.ApproverListEntries
            .Where(e => e.UserId == user.UserId && adminOf.Contains(e.TenantId))
            .Select(e => e.TenantId)
            .ToListAsync(cancellationToken);
    }
}
