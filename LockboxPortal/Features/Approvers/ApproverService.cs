using System.Security.Claims;
using LockboxPortal.Authorization;
using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Tenants;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Features.Approvers;

/// <summary>
/// A tenant's approver list, policy and delegations (DESIGN.md rules 3 and 4). Each public operation is one
/// transaction: authorize the person acting from storage, apply the rule, append the audit entry with the values
/// before and after, save, then publish an <see cref="ApproverChange"/> so open queues read again.
/// </summary>
/// <remarks>
/// Who may: the tenant's SecurityOfficer for the list and the policy; the approver themselves or an officer to
/// create a delegation; either side of it or an officer to revoke one. A person who is not a member of the tenant
/// learns nothing (<see cref="NotFoundException"/>); a member without the role is refused. Both are audited.
/// </remarks>
public sealed class ApproverService(
    LockboxTransactions transactions,
    IDbContextFactory<LockboxDbContext> dbFactory,
    AuditWriter audit,
    ApproverNotifier notifier,
    Grants.DeadlineSignal deadlines,
    TimeProvider time)
{
    private const string ListSubject = "ApproverList";
    private const string PolicySubject = "TenantPolicy";
    private const string DelegationSubject = "Delegation";

    // ---- approver list and policy -------------------------------------------------------------------------------

    /// <summary>The tenants this person is security officer of, by name.</summary>
    public async Task<IReadOnlyList<TenantChoice>> ListOfficerTenantsAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var user = await ActingUser.LoadAsync(db, principal, cancellationToken);
        var ids = user.Memberships.TenantsWithRole(PortalRole.SecurityOfficer);
        return await db.Tenants.AsNoTracking().Where(t => ids.Contains(t.Id)).OrderBy(t => t.Name)
            .Select(t => new TenantChoice(t.Id, t.Name)).ToListAsync(cancellationToken);
    }

    public async Task<TenantApprovers> GetTenantAsync(ClaimsPrincipal principal, Guid tenantId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await AuthorizeOfficerAsync(db, principal, tenantId, "ViewApprovers", cancellationToken);
        var tenant = await db.Tenants.AsNoTracking().SingleAsync(t => t.Id == tenantId, cancellationToken);
        var approvers = await ApproversOfAsync(db, tenantId, cancellationToken);
        var onList = approvers.Select(a => a.Person.UserId).ToHashSet(StringComparer.Ordinal);
        var candidates = (await TenantAdminsAsync(db, tenantId, cancellationToken)).Where(a => !onList.Contains(a.UserId)).ToList();
        return new TenantApprovers(tenant.Id, tenant.Name, tenant.Policy, approvers, candidates);
    }

    public async Task AddApproverAsync(ClaimsPrincipal principal, Guid tenantId, string userId, CancellationToken cancellationToken = default)
    {
        await transactions.RunAsync(async db =>
        {
            var user = await AuthorizeOfficerAsync(db, principal, tenantId, "AddApprover", cancellationToken);
            var before = await ApproversOfAsync(db, tenantId, cancellationToken);
            if (before.Any(a => a.Person.UserId == userId))
            {
                throw InvalidInputException.For("UserId", "This person is already on the approver list.");
            }

            // Only the tenant's own admins can decide for it; another tenant's user looks exactly like a stranger.
            if (!await ApprovalAuthorities.IsActiveTenantAdminAsync(db, userId, tenantId, cancellationToken))
            {
                throw InvalidInputException.For("UserId", "Only active TenantAdmins of this tenant can be approvers.");
            }

            var person = (await db.Users.AsNoTracking().SingleAsync(u => u.Id == userId, cancellationToken)).ToActor();
            db.ApproverListEntries.Add(new ApproverListEntry(tenantId, userId, time.GetUtcNow()));
            await audit.AppendAsync(db, new AuditRecord(
                AuditEventType.Approvers_Added, user.Actor, tenantId, ListSubject, tenantId.ToString(),
                AuditRecord.Details(new { Approver = person, Before = People(before), After = People(before).Append(person).OrderBy(p => p.DisplayName) }),
                Client: user.Client), cancellationToken);
        }, cancellationToken);

        await PublishAsync(tenantId, ApproverChangeKind.ApproverAdded);
    }

    /// <summary>
    /// Takes someone off the list. It takes effect at once: their next decision is refused, and the delegations they
    /// gave are revoked too (their authority, which those lent, is gone).
    /// </summary>
    public async Task RemoveApproverAsync(ClaimsPrincipal principal, Guid tenantId, string userId, CancellationToken cancellationToken = default)
    {
        await transactions.RunAsync(async db =>
        {
            var user = await AuthorizeOfficerAsync(db, principal, tenantId, "RemoveApprover", cancellationToken);
            var before = await ApproversOfAsync(db, tenantId, cancellationToken);
            var entry = await db.ApproverListEntries.SingleOrDefaultAsync(e => e.TenantId == tenantId && e.UserId == userId, cancellationToken)
                ?? throw InvalidInputException.For("UserId", "This person is not on the approver list.");
            var policy = await db.Tenants.Where(t => t.Id == tenantId).Select(t => t.Policy).SingleAsync(cancellationToken);
            if (policy.Validate(before.Count - 1).ContainsKey(nameof(TenantPolicy.RequiredApprovals)))
            {
                throw InvalidInputException.For("UserId",
                    $"The policy needs {policy.RequiredApprovals} approvals; lower required approvals before removing an approver.");
            }

            db.ApproverListEntries.Remove(entry);
            var after = before.Where(a => a.Person.UserId != userId).ToList();
            var person = before.Single(a => a.Person.UserId == userId).Person;
            await audit.AppendAsync(db, new AuditRecord(
                AuditEventType.Approvers_Removed, user.Actor, tenantId, ListSubject, tenantId.ToString(),
                AuditRecord.Details(new { Approver = person, Before = People(before), After = People(after) }),
                Client: user.Client), cancellationToken);

            await RevokeOpenDelegationsAsync(
                db, audit, user, d => d.TenantId == tenantId && d.DelegatorId == userId,
                "The delegator was removed from the approver list.", time.GetUtcNow(), cancellationToken);
        }, cancellationToken);

        await PublishAsync(tenantId, ApproverChangeKind.ApproverRemoved);
    }

    /// <summary>
    /// Replaces the tenant's policy. Requests already at the customer stage keep the quorum fixed when they got there.
    /// Returns false when nothing differed (nothing is written then).
    /// </summary>
    public async Task<bool> ChangePolicyAsync(ClaimsPrincipal principal, Guid tenantId, TenantPolicy policy, CancellationToken cancellationToken = default)
    {
        var changed = await transactions.RunAsync(async db =>
        {
            var user = await AuthorizeOfficerAsync(db, principal, tenantId, "ChangePolicy", cancellationToken);
            var approverCount = await db.ApproverListEntries.CountAsync(e => e.TenantId == tenantId, cancellationToken);
            var errors = policy.Validate(approverCount);
            if (errors.Count > 0)
            {
                throw new InvalidInputException(errors.ToDictionary(e => e.Key, e => new[] { e.Value }));
            }

            var tenant = await db.Tenants.SingleAsync(t => t.Id == tenantId, cancellationToken);
            var before = PolicySnapshot.Of(tenant.Policy);
            var after = PolicySnapshot.Of(policy);
            if (before == after)
            {
                return false;
            }

            tenant.ChangePolicy(policy);
            await audit.AppendAsync(db, new AuditRecord(
                AuditEventType.Policy_Changed, user.Actor, tenantId, PolicySubject, tenantId.ToString(),
                AuditRecord.Details(new { Before = before, After = after }), Client: user.Client), cancellationToken);
            return true;
        }, cancellationToken);

        if (changed)
        {
            await PublishAsync(tenantId, ApproverChangeKind.PolicyChanged);
        }

        return changed;
    }

    // ---- delegations --------------------------------------------------------------------------------------------

    /// <summary>Where this person may create a delegation, whose authority they may lend, and to whom.</summary>
    public async Task<IReadOnlyList<DelegationTenantOption>> ListDelegationOptionsAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var user = await ActingUser.LoadAsync(db, principal, cancellationToken);
        var tenantIds = user.Memberships.TenantsWithRole(PortalRole.SecurityOfficer)
            .Union(user.Memberships.TenantsWithRole(PortalRole.TenantAdmin)).ToList();
        var options = new List<DelegationTenantOption>();
        foreach (var tenant in await db.Tenants.AsNoTracking().Where(t => tenantIds.Contains(t.Id)).OrderBy(t => t.Name).ToListAsync(cancellationToken))
        {
            var admins = await TenantAdminsAsync(db, tenant.Id, cancellationToken);
            var approvers = (await ApproversOfAsync(db, tenant.Id, cancellationToken))
                .Select(a => a.Person)
                .Where(p => admins.Any(a => a.UserId == p.UserId))
                .ToList();
            var delegators = user.Memberships.HasTenantRole(tenant.Id, PortalRole.SecurityOfficer)
                ? approvers
                : approvers.Where(a => a.UserId == user.UserId).ToList();
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
        var user = await ActingUser.LoadAsync(db, principal, cancellationToken);
        var officerOf = user.Memberships.TenantsWithRole(PortalRole.SecurityOfficer);
        var memberOf = user.Memberships.TenantsWithRole(PortalRole.TenantAdmin);
        var delegations = await db.Delegations.AsNoTracking()
            .Where(d => officerOf.Contains(d.TenantId)
                || (memberOf.Contains(d.TenantId) && (d.DelegatorId == user.UserId || d.DelegateId == user.UserId)))
            .OrderByDescending(d => d.StartsAt)
            .Take(500)
            .ToListAsync(cancellationToken);
        var tenantIds = delegations.Select(d => d.TenantId).Distinct().ToList();
        var names = await db.Tenants.Where(t => tenantIds.Contains(t.Id)).ToDictionaryAsync(t => t.Id, t => t.Name, cancellationToken);
        var now = time.GetUtcNow();
        return delegations.Select(d =>
        {
            var status = d.StatusAt(now);
            return new DelegationRow(d, names[d.TenantId], status,
                status is DelegationStatus.Active or DelegationStatus.Upcoming && MayRevoke(user, d));
        }).ToList();
    }

    public async Task<Delegation> CreateDelegationAsync(ClaimsPrincipal principal, DelegationInput input, CancellationToken cancellationToken = default)
    {
        var created = await transactions.RunAsync(async db =>
        {
            var user = await ActingUser.LoadAsync(db, principal, cancellationToken);
            var tenantExists = await db.Tenants.AnyAsync(t => t.Id == input.TenantId && t.IsActive, cancellationToken);
            if (!tenantExists || !user.Memberships.IsMemberOf(input.TenantId))
            {
                await RecordRefusalAsync(user, "CreateDelegation", input.TenantId.ToString(), tenantExists ? input.TenantId : null, "not-found", cancellationToken);
                throw new NotFoundException("tenant");
            }

            var delegatorId = input.DelegatorId ?? user.UserId;
            var isOfficer = user.Memberships.HasTenantRole(input.TenantId, PortalRole.SecurityOfficer);
            if (delegatorId != user.UserId && !isOfficer)
            {
                throw await RefuseAsync(user, "CreateDelegation", input.TenantId.ToString(), input.TenantId, cancellationToken);
            }

            var now = time.GetUtcNow();
            var parties = new DelegationParties(
                await ActorOfAsync(db, delegatorId, cancellationToken),
                await ApprovalAuthorities.IsDirectApproverAsync(db, delegatorId, input.TenantId, cancellationToken),
                await IsActiveDelegateAsync(db, delegatorId, input.TenantId, now, cancellationToken),
                await ActorOfAsync(db, input.DelegateId ?? "", cancellationToken),
                await ApprovalAuthorities.IsActiveTenantAdminAsync(db, input.DelegateId ?? "", input.TenantId, cancellationToken));

            Delegation delegation;
            try
            {
                delegation = Delegation.Create(Guid.NewGuid(), input.TenantId, parties, input.StartsAt, input.EndsAt, input.Reason, user.Actor, now);
                if (await OverlapsAsync(db, delegation, now, cancellationToken))
                {
                    throw new DelegationRefusedException(DelegationRule.Overlaps, "StartsAt",
                        $"{parties.Delegator.DisplayName} already delegates to {parties.Delegate.DisplayName} during part of this window.");
                }
            }
            catch (DelegationRefusedException ex)
            {
                // Trying to pass borrowed authority on, or to oneself, is a control attempt worth seeing in the trail.
                await RecordRefusalAsync(user, "CreateDelegation", input.TenantId.ToString(), input.TenantId, ex.Code, cancellationToken);
                throw;
            }

            db.Delegations.Add(delegation);
            await audit.AppendAsync(db, DelegationRecord(AuditEventType.Delegation_Created, user, delegation, new
            {
                CreatedBy = user.Actor,
                Before = (DelegationSnapshot?)null,
                After = DelegationSnapshot.Of(delegation, now),
            }, onBehalfOf: user.Actor.IsSamePerson(delegation.Delegator) ? null : delegation.Delegator), cancellationToken);
            return delegation;
        }, cancellationToken);

        await PublishAsync(created.TenantId, ApproverChangeKind.DelegationCreated);
        deadlines.Notify(created.EndsAt);
        return created;
    }

    public async Task<Delegation> RevokeDelegationAsync(ClaimsPrincipal principal, Guid delegationId, CancellationToken cancellationToken = default)
    {
        var revoked = await transactions.RunAsync(async db =>
        {
            var user = await ActingUser.LoadAsync(db, principal, cancellationToken);
            var delegation = await db.Delegations.SingleOrDefaultAsync(d => d.Id == delegationId, cancellationToken);
            if (delegation is null || !user.Memberships.IsMemberOf(delegation.TenantId))
            {
                await RecordRefusalAsync(user, "RevokeDelegation", delegationId.ToString(), delegation?.TenantId, "not-found", cancellationToken);
                throw new NotFoundException("delegation");
            }

            if (!MayRevoke(user, delegation))
            {
                throw await RefuseAsync(user, "RevokeDelegation", delegationId.ToString(), delegation.TenantId, cancellationToken);
            }

            var now = time.GetUtcNow();
            var before = DelegationSnapshot.Of(delegation, now);
            delegation.Revoke(user.Actor, now);
            await audit.AppendAsync(db, DelegationRecord(AuditEventType.Delegation_Revoked, user, delegation, new
            {
                Before = before,
                After = DelegationSnapshot.Of(delegation, now),
            }), cancellationToken);
            return delegation;
        }, cancellationToken);

        await PublishAsync(revoked.TenantId, ApproverChangeKind.DelegationRevoked);
        return revoked;
    }

    /// <summary>
    /// Writes a Delegation_Ended entry for each delegation whose window closed by <paramref name="now"/>. Authority never
    /// depends on this (checks compare the stored window with the clock); it only makes the end visible in the trail
    /// and on open pages. Meant for the timer service; returns how many ended.
    /// </summary>
    public async Task<int> EndDueDelegationsAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var tenants = await transactions.RunAsync(async db =>
        {
            var due = await db.Delegations
                .Where(d => d.RevokedAt == null && d.EndRecordedAt == null && d.EndsAt <= now)
                .OrderBy(d => d.EndsAt)
                .ToListAsync(cancellationToken);
            foreach (var delegation in due)
            {
                var before = DelegationSnapshot.Of(delegation, delegation.EndsAt.AddTicks(-1));
                delegation.RecordEnd(now);
                await audit.AppendAsync(db, new AuditRecord(
                    AuditEventType.Delegation_Ended, Actor.System, delegation.TenantId, DelegationSubject, delegation.Id.ToString(),
                    AuditRecord.Details(new { Before = before, After = DelegationSnapshot.Of(delegation, now) })), cancellationToken);
            }

            return due.Select(d => d.TenantId).ToList();
        }, cancellationToken);

        foreach (var tenantId in tenants.Distinct())
        {
            await PublishAsync(tenantId, ApproverChangeKind.DelegationEnded);
        }

        return tenants.Count;
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

    // ---- helpers ------------------------------------------------------------------------------------------------

    private static bool MayRevoke(ActingUser user, Delegation delegation) =>
        delegation.Involves(user.UserId) || user.Memberships.HasTenantRole(delegation.TenantId, PortalRole.SecurityOfficer);

    private async Task<ActingUser> AuthorizeOfficerAsync(LockboxDbContext db, ClaimsPrincipal principal, Guid tenantId, string operation, CancellationToken cancellationToken)
    {
        var user = await ActingUser.LoadAsync(db, principal, cancellationToken);
        var tenantExists = await db.Tenants.AnyAsync(t => t.Id == tenantId, cancellationToken);
        if (!tenantExists || !user.Memberships.IsMemberOf(tenantId))
        {
            await RecordRefusalAsync(user, operation, tenantId.ToString(), tenantExists ? tenantId : null, "not-found", cancellationToken);
            throw new NotFoundException("tenant");
        }

        if (!user.Memberships.HasTenantRole(tenantId, PortalRole.SecurityOfficer))
        {
            throw await RefuseAsync(user, operation, tenantId.ToString(), tenantId, cancellationToken);
        }

        return user;
    }

    private static async Task<IReadOnlyList<ApproverRow>> ApproversOfAsync(LockboxDbContext db, Guid tenantId, CancellationToken cancellationToken)
    {
        var rows = await db.ApproverListEntries.AsNoTracking()
            .Where(e => e.TenantId == tenantId)
            .Join(db.Users, e => e.UserId, u => u.Id, (e, u) => new { User = u, e.AddedAt })
            .ToListAsync(cancellationToken);
        return rows.Select(r => new ApproverRow(r.User.ToActor(), r.AddedAt)).OrderBy(r => r.Person.DisplayName, StringComparer.CurrentCulture).ToList();
    }

    /// <summary>The active TenantAdmins of a tenant: the only people who may approve or be delegated to.</summary>
    private static async Task<IReadOnlyList<Actor>> TenantAdminsAsync(LockboxDbContext db, Guid tenantId, CancellationToken cancellationToken)
    {
        var users = await db.Memberships.AsNoTracking()
            .Where(m => m.TenantId == tenantId && m.Role == PortalRole.TenantAdmin)
            .Join(db.Users.Where(u => u.IsActive), m => m.UserId, u => u.Id, (m, u) => u)
            .ToListAsync(cancellationToken);
        return users.Select(u => u.ToActor()).DistinctBy(a => a.UserId).OrderBy(a => a.DisplayName, StringComparer.CurrentCulture).ToList();
    }

    private static async Task<Actor> ActorOfAsync(LockboxDbContext db, string userId, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
        return user?.ToActor() ?? new Actor(userId, "(unknown person)");
    }

    private static async Task<bool> IsActiveDelegateAsync(LockboxDbContext db, string userId, Guid tenantId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var held = await db.Delegations.AsNoTracking()
            .Where(d => d.TenantId == tenantId && d.DelegateId == userId && d.RevokedAt == null)
            .ToListAsync(cancellationToken);
        return held.Any(d => d.IsActiveAt(now));
    }

    /// <summary>Two open windows from the same delegator to the same delegate would make revoking one meaningless.</summary>
    private static async Task<bool> OverlapsAsync(LockboxDbContext db, Delegation candidate, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var existing = await db.Delegations.AsNoTracking()
            .Where(d => d.TenantId == candidate.TenantId && d.DelegatorId == candidate.DelegatorId && d.DelegateId == candidate.DelegateId && d.RevokedAt == null)
            .ToListAsync(cancellationToken);
        return existing.Any(d => d.StatusAt(now) != DelegationStatus.Ended && d.StartsAt < candidate.EndsAt && candidate.StartsAt < d.EndsAt);
    }

    private static IEnumerable<Actor> People(IEnumerable<ApproverRow> rows) => rows.Select(r => r.Person);

    /// <summary>Revokes, with an audit entry each, the active and upcoming delegations that match.</summary>
    internal static async Task RevokeOpenDelegationsAsync(
        LockboxDbContext db, AuditWriter audit, ActingUser user, System.Linq.Expressions.Expression<Func<Delegation, bool>> which,
        string reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var open = await db.Delegations.Where(which).Where(d => d.RevokedAt == null).ToListAsync(cancellationToken);
        foreach (var delegation in open.Where(d => d.StatusAt(now) is DelegationStatus.Active or DelegationStatus.Upcoming))
        {
            var snapshot = DelegationSnapshot.Of(delegation, now);
            delegation.Revoke(user.Actor, now);
            await audit.AppendAsync(db, DelegationRecord(AuditEventType.Delegation_Revoked, user, delegation, new
            {
                Reason = reason,
                Before = snapshot,
                After = DelegationSnapshot.Of(delegation, now),
            }), cancellationToken);
        }
    }

    private static AuditRecord DelegationRecord(AuditEventType type, ActingUser user, Delegation delegation, object details, Actor? onBehalfOf = null) =>
        new(type, user.Actor, delegation.TenantId, DelegationSubject, delegation.Id.ToString(), AuditRecord.Details(details), onBehalfOf, user.Client);

    private async Task<ForbiddenException> RefuseAsync(ActingUser user, string operation, string subject, Guid tenantId, CancellationToken cancellationToken)
    {
        await RecordRefusalAsync(user, operation, subject, tenantId, "forbidden", cancellationToken);
        return new ForbiddenException();
    }

    private Task RecordRefusalAsync(ActingUser user, string operation, string subject, Guid? tenantId, string reason, CancellationToken cancellationToken) =>
        audit.RecordRefusalAsync(user.Actor, tenantId, SubjectOf(operation), subject, operation, reason, user.Client, cancellationToken);

    private static string SubjectOf(string operation) => operation switch
    {
        "CreateDelegation" or "RevokeDelegation" => DelegationSubject,
        "AddApprover" or "RemoveApprover" or "ViewApprovers" => ListSubject,
        "ChangePolicy" => PolicySubject,
        _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, "Unknown approver operation."),
    };

    private Task PublishAsync(Guid tenantId, ApproverChangeKind kind) =>
        notifier.PublishAsync(new ApproverChange(tenantId, kind, time.GetUtcNow()));
}
