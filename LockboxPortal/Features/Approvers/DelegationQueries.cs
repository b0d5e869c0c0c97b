using System.Security.Claims;
using LockboxPortal.Authorization;
using LockboxPortal.Data;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Features.Approvers;

/// <summary>What the delegations page and the timer read. Each list shows what the handler allows, row by row.</summary>
public sealed class DelegationQueries(IDbContextFactory<LockboxDbContext> dbFactory, OperationGate gate, TimeProvider time)
{
    /// <summary>Where this person may create a delegation, whose authority they may lend, and to whom.</summary>
    public async Task<IReadOnlyList<DelegationTenantOption>> ListDelegationOptionsAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var user = await gate.ActingUserAsync(db, principal, cancellationToken);
        await gate.EnsureAsync(principal, ApproverResource.AcrossTenants(user, ApproverResource.DelegationSubject),
            ApproverOperations.ListDelegationOptions, cancellationToken);
        var memberOf = user.Memberships.Tenants;
        var options = new List<DelegationTenantOption>();
        foreach (var tenant in await db.Tenants.AsNoTracking().Where(t => memberOf.Contains(t.Id)).OrderBy(t => t.Name).ToListAsync(cancellationToken))
        {
            var admins = await ApproverReads.TenantAdminsAsync(db, tenant.Id, cancellationToken);
            var approvers = (await ApproverReads.ApproversOfAsync(db, tenant.Id, cancellationToken))
                .Select(a => a.Person)
                .Where(p => admins.Any(a => a.UserId == p.UserId));
            var delegators = await gate.WhereAllowedAsync(principal, approvers,
                p => ApproverResource.NewDelegation(user, tenant.Id, tenant.IsActive, p.UserId), ApproverOperations.CreateDelegation);
            if (delegators.Count > 0)
            {
                options.Add(new DelegationTenantOption(tenant.Id, tenant.Name, delegators, admins));
            }
        }

        return options;
    }

    /// <summary>The delegations this person may see: all of a tenant's for its officers, otherwise those they are part of.</summary>
    public async Task<IReadOnlyList<DelegationRow>> ListDelegationsAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var user = await gate.ActingUserAsync(db, principal, cancellationToken);
        await gate.EnsureAsync(principal, ApproverResource.AcrossTenants(user, ApproverResource.DelegationSubject),
            ApproverOperations.ListDelegations, cancellationToken);
        var memberOf = user.Memberships.Tenants;
        var inTenants = await db.Delegations.AsNoTracking()
            .Where(d => memberOf.Contains(d.TenantId))
            .OrderByDescending(d => d.StartsAt)
            .ToListAsync(cancellationToken);
        var visible = (await gate.WhereAllowedAsync(principal, inTenants, d => ApproverResource.OfDelegation(user, d.Id, d), ApproverOperations.ViewDelegation))
            .Take(500)
            .ToList();
        var tenantIds = visible.Select(d => d.TenantId).Distinct().ToList();
        var names = await db.Tenants.Where(t => tenantIds.Contains(t.Id)).ToDictionaryAsync(t => t.Id, t => t.Name, cancellationToken);
        var now = time.GetUtcNow();
        var rows = new List<DelegationRow>();
        foreach (var delegation in visible)
        {
            var status = delegation.StatusAt(now);
            var canRevoke = status is DelegationStatus.Active or DelegationStatus.Upcoming
                && await gate.IsAllowedAsync(principal, ApproverResource.OfDelegation(user, delegation.Id, delegation), ApproverOperations.RevokeDelegation);
            rows.Add(new DelegationRow(delegation, names[delegation.TenantId], status, canRevoke));
        }

        return rows;
    }

    /// <summary>The next end of a delegation window not yet recorded, for the timer service to sleep until.</summary>
    public async Task<DateTimeOffset?> NextDelegationEndAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Delegations.AsNoTracking()
            .Where(d => d.RevokedAt == null && d.EndRecordedAt == null)
            .OrderBy(d => d.EndsAt)
            .Select(d => (DateTimeOffset?)d.EndsAt)
            .FirstOrDefaultAsync(cancellationToken);
    }
}
