using System.Security.Claims;
using LockboxPortal.Authorization;
using LockboxPortal.Data;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Features.Approvers;

/// <summary>What the policy page reads: the tenants a person configures, and one tenant's policy and approver list.</summary>
public sealed class ApproverListQueries(IDbContextFactory<LockboxDbContext> dbFactory, OperationGate gate, TimeProvider time)
{
    /// <summary>The tenants whose approvers this person configures, by name. Someone who configures none is refused.</summary>
    public async Task<IReadOnlyList<TenantChoice>> ListOfficerTenantsAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var user = await gate.ActingUserAsync(db, principal, cancellationToken);
        await gate.EnsureAsync(principal, ApproverResource.AcrossTenants(user, ApproverResource.ListSubject), ApproverOperations.ListOfficerTenants, cancellationToken);
        var memberOf = user.Memberships.Tenants;
        var tenants = await db.Tenants.AsNoTracking().Where(t => memberOf.Contains(t.Id)).OrderBy(t => t.Name).ToListAsync(cancellationToken);
        var configurable = await gate.WhereAllowedAsync(principal, tenants,
            t => ApproverResource.ApproverList(user, t.Id, tenantFound: true), ApproverOperations.ViewApprovers);
        return configurable.Select(t => new TenantChoice(t.Id, t.Name)).ToList();
    }

    public async Task<TenantApprovers> GetTenantAsync(ClaimsPrincipal principal, Guid tenantId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var user = await gate.ActingUserAsync(db, principal, cancellationToken);
        var tenant = await db.Tenants.AsNoTracking().SingleOrDefaultAsync(t => t.Id == tenantId, cancellationToken);
        await gate.EnsureAsync(principal, ApproverResource.ApproverList(user, tenantId, tenant is not null), ApproverOperations.ViewApprovers, cancellationToken);
        var approvers = await ApproverReads.ApproversOfAsync(db, tenantId, cancellationToken);
        var escalation = await ApproverReads.EscalationApproversOfAsync(db, tenantId, cancellationToken);
        var onList = approvers.Concat(escalation).Select(a => a.Person.UserId).ToHashSet(StringComparer.Ordinal);
        var candidates = (await ApproverReads.TenantAdminsAsync(db, tenantId, cancellationToken)).Where(a => !onList.Contains(a.UserId)).ToList();
        var catalogue = await db.ScopeCatalogueEntries.AsNoTracking().Where(e => e.TenantId == tenantId).ToListAsync(cancellationToken);
        var now = time.GetUtcNow();
        var health = await QuorumHealth.ForAsync(db, [tenant!], now, cancellationToken);
        var officers = await GovernedState.ActiveOfficersAsync(db, tenantId, cancellationToken);
        var fingerprint = await GovernedState.FingerprintAsync(db, tenantId, cancellationToken);
        var open = await db.PolicyChanges.AsNoTracking()
            .Where(c => c.TenantId == tenantId && c.Status == PolicyChangeStatus.Pending)
            .ToListAsync(cancellationToken);
        var pending = open.Where(c => c.IsOpenAt(now)).OrderBy(c => c.ProposedAt)
            .Select(c => new PendingPolicyChange(c, c.Lines, c.BaseFingerprint != fingerprint, !officers.Any(o => o.IsSamePerson(c.ProposedBy))))
            .ToList();
        return new TenantApprovers(tenant!.Id, tenant.Name, tenant.Policy, approvers, candidates)
        {
            Health = health[tenant.Id],
            EscalationApprovers = escalation,
            Catalogue = catalogue.OrderBy(e => e.Pattern, StringComparer.Ordinal).ToList(),
            Officers = officers,
            PendingChanges = pending,
        };
    }
}
