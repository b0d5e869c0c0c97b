using LockboxPortal.Data;
using LockboxPortal.Features.Tenants;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Features.Approvers;

/// <summary>Reads of a tenant's approver list and admins that the list and delegation services share.</summary>
internal static class ApproverReads
{
    public static async Task<IReadOnlyList<ApproverRow>> ApproversOfAsync(LockboxDbContext db, Guid tenantId, CancellationToken cancellationToken)
    {
        var rows = await db.ApproverListEntries.AsNoTracking()
            .Where(e => e.TenantId == tenantId)
            .Join(db.Users, e => e.UserId, u => u.Id, (e, u) => new { User = u, e.AddedAt })
            .ToListAsync(cancellationToken);
        return rows.Select(r => new ApproverRow(r.User.ToActor(), r.AddedAt)).OrderBy(r => r.Person.DisplayName, StringComparer.CurrentCulture).ToList();
    }

    public static async Task<IReadOnlyList<ApproverRow>> EscalationApproversOfAsync(LockboxDbContext db, Guid tenantId, CancellationToken cancellationToken)
    {
        var rows = await db.EscalationListEntries.AsNoTracking()
            .Where(e => e.TenantId == tenantId)
            .Join(db.Users, e => e.UserId, u => u.Id, (e, u) => new { User = u, e.AddedAt })
            .ToListAsync(cancellationToken);
        return rows.Select(r => new ApproverRow(r.User.ToActor(), r.AddedAt)).OrderBy(r => r.Person.DisplayName, StringComparer.CurrentCulture).ToList();
    }

    /// <summary>The active TenantAdmins of a tenant: the only people who may approve or be delegated to.</summary>
    public static async Task<IReadOnlyList<Actor>> TenantAdminsAsync(LockboxDbContext db, Guid tenantId, CancellationToken cancellationToken)
    {
        var users = await db.Memberships.AsNoTracking()
            .Where(m => m.TenantId == tenantId && m.Role == PortalRole.TenantAdmin)
            .Join(db.Users.Where(u => u.IsActive), m => m.UserId, u => u.Id, (m, u) => u)
            .ToListAsync(cancellationToken);
        return users.Select(u => u.ToActor()).DistinctBy(a => a.UserId).OrderBy(a => a.DisplayName, StringComparer.CurrentCulture).ToList();
    }
}
