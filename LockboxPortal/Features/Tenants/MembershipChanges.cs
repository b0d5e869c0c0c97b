using LockboxPortal.Data;
using LockboxPortal.Features.Audit;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Features.Tenants;

/// <summary>
/// What follows from taking roles away, whoever takes them (an officer on the people page, the person's directory at
/// sign-in): the person's other sessions are told, each removal is audited, and someone who is no longer a TenantAdmin
/// leaves the approver list at once, because only a TenantAdmin approves. Public for the officers' role, which the
/// approvers feature governs (a change to it applied through the two-person rule).
/// </summary>
public static class MembershipChanges
{
    /// <summary>The person (tracked) and their memberships in the provider or one tenant; not found when they hold nothing there.</summary>
    public static async Task<(PortalUser Person, List<Membership> Memberships)> MemberAsync(
        LockboxDbContext db, string userId, Guid? tenantId, CancellationToken cancellationToken)
    {
        var person = await db.Users.SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
        var memberships = await db.Memberships.Where(m => m.UserId == userId && m.TenantId == tenantId).ToListAsync(cancellationToken);
        return person is null || memberships.Count == 0 ? throw new NotFoundException("person") : (person, memberships);
    }

    /// <param name="through">How the change came about (e.g. <c>entra</c>), recorded with each removal; null for a person's own decision.</param>
    /// <returns>The tenant whose approver list the person left with these roles, if any.</returns>
    public static async Task<IReadOnlyList<Guid>> RemoveAsync(
        LockboxDbContext db, AuditWriter audit, Actor actor, ClientInfo? client, PortalUser person, Guid? tenantId, IReadOnlyList<Membership> removed,
        string? through, CancellationToken cancellationToken)
    {
        db.Memberships.RemoveRange(removed);
        AccountRules.ChangeSecurityStamp(person);
        foreach (var membership in removed)
        {
            object details = through is null ? new { Role = membership.Role.ToString() } : new { Role = membership.Role.ToString(), Through = through };
            await audit.AppendAsync(db, new AuditRecord(AuditEventType.Membership_Removed, actor, tenantId, AdministrationResource.PersonSubject, person.Id,
                AuditRecord.Details(details), Client: client), cancellationToken);
        }

        if (tenantId is { } id && removed.Any(m => m.Role == PortalRole.TenantAdmin))
        {
            var entry = await db.ApproverListEntries.SingleOrDefaultAsync(e => e.TenantId == id && e.UserId == person.Id, cancellationToken);
            if (entry is not null)
            {
                db.ApproverListEntries.Remove(entry);
                await audit.AppendAsync(db, new AuditRecord(AuditEventType.Approvers_Removed, actor, id, "ApproverList", id.ToString(),
                    AuditRecord.Details(new { UserId = person.Id, person.ToActor().DisplayName, Reason = "no longer a TenantAdmin" }), Client: client), cancellationToken);
                return [id];
            }
        }

        return [];
    }
}
