using LockboxPortal.Data;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Features.Tenants;

/// <summary>
/// Who holds a role somewhere, from storage: the facts behind "a tenant's first officer" and "never remove the last
/// officer or provider admin". They are facts for the rules, not permissions of the person acting.
/// </summary>
public static class RoleHolders
{
    /// <summary>How many active security officers the tenant has, not counting <paramref name="except"/>.</summary>
    public static Task<int> ActiveOfficerCountAsync(LockboxDbContext db, Guid tenantId, string? except, CancellationToken cancellationToken) =>
        (from m in db.Memberships
         join u in db.Users on m.UserId equals u.Id
         where m.TenantId == tenantId && m.Role == PortalRole.SecurityOfficer && u.IsActive && m.UserId != except
         select m.UserId).Distinct().CountAsync(cancellationToken);

    /// <summary>Whether the tenant has an active security officer other than <paramref name="except"/>.</summary>
    public static Task<bool> HasActiveOfficerAsync(LockboxDbContext db, Guid tenantId, string? except, CancellationToken cancellationToken) =>
        HasActiveHolderAsync(db, tenantId, PortalRole.SecurityOfficer, except, cancellationToken);

    /// <summary>Whether someone active other than <paramref name="except"/> holds <paramref name="role"/> there.</summary>
    public static Task<bool> HasActiveHolderAsync(LockboxDbContext db, Guid? tenantId, PortalRole role, string? except, CancellationToken cancellationToken) =>
        (from m in db.Memberships
         join u in db.Users on m.UserId equals u.Id
         where m.TenantId == tenantId && m.Role == role && u.IsActive && m.UserId != except
         select m).AnyAsync(cancellationToken);
}
