using System.Security.Claims;
using System.Text.Json;
using LockboxPortal.Authorization;
using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Approvers;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Grants;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Features.Tenants;

/// <summary>A place whose people can be listed: the provider (<see cref="TenantId"/> null) or one tenant.</summary>
public sealed record PeopleScope(Guid? TenantId, string Name, bool IsActive);

public sealed record PersonRow(string UserId, string DisplayName, string Email, bool IsActive, IReadOnlyList<PortalRole> Roles, bool OnApproverList);

/// <summary>
/// Work another feature must do, in the same transaction, when a person is deactivated: the delegations feature
/// ends the delegations given to and by them. Register implementations with DI; none is needed for the rest.
/// </summary>
public interface IPersonDeactivationParticipant
{
    Task OnDeactivatingAsync(LockboxDbContext db, PortalUser person, ActingUser actor, CancellationToken cancellationToken);
}

/// <summary>
/// People: list members and their roles, give and take roles, remove someone from a tenant, deactivate a person.
/// The last security officer of a tenant and the last provider admin are never removed, so nobody is locked out
/// of administering their own organisation.
/// </summary>
public sealed class PeopleService(
    LockboxTransactions transactions,
    IDbContextFactory<LockboxDbContext> dbFactory,
    OperationGate gate,
    AuditWriter audit,
    IEnumerable<IPersonDeactivationParticipant> deactivationParticipants,
    OpenRequestCloser closer,
    RequestNotifier requestNotifier,
    ApproverNotifier approverNotifier,
    IOutboundMessages outbound,
    DirectoryNotifier directory,
    ApproverListService governed,
    TimeProvider time)
{
    private const string Subject = AdministrationResource.PersonSubject;

    /// <summary>The outbound message that tells a tenant's officers the provider took one of their approvers off the list.</summary>
    public const string ApproverDeactivatedMessage = "Approvers.ApproverDeactivated";

    /// <summary>
    /// The provider and tenants whose people this person may see; <paramref name="asOfficer"/> keeps only the
    /// tenants whose people they manage as a security officer (a provider admin only views a tenant's people).
    /// </summary>
    public async Task<IReadOnlyList<PeopleScope>> ListScopesAsync(ClaimsPrincipal principal, bool asOfficer = false, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var user = await gate.ActingUserAsync(db, principal, cancellationToken);
        await gate.EnsureAsync(principal, new AdministrationResource(user, null) { SubjectType = Subject }, AdministrationOperations.ListPeopleScopes, cancellationToken);
        var tenants = await db.Tenants.AsNoTracking().OrderBy(t => t.Name).Select(t => new PeopleScope(t.Id, t.Name, t.IsActive)).ToListAsync(cancellationToken);
        if (asOfficer)
        {
            // Managing a tenant's people is one rule for every tenant role, so TenantAdmin stands for them all.
            return await gate.WhereAllowedAsync(principal, tenants,
                t => new AdministrationResource(user, t.TenantId, PortalRole.TenantAdmin), AdministrationOperations.ChangeRole);
        }

        var provider = new PeopleScope(null, "Provider staff", true);
        return await gate.WhereAllowedAsync(principal, [provider, .. tenants],
            s => new AdministrationResource(user, s.TenantId), AdministrationOperations.ViewPeople);
    }

    /// <summary>The people of the provider or of one tenant. Someone who may not see them is refused (recorded) and shown nobody.</summary>
    public async Task<IReadOnlyList<PersonRow>> ListAsync(ClaimsPrincipal principal, Guid? tenantId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var user = await gate.ActingUserAsync(db, principal, cancellationToken);
        if (!await gate.AllowsOrRecordsAsync(principal, new AdministrationResource(user, tenantId) { SubjectType = Subject }, AdministrationOperations.ViewPeople, cancellationToken))
        {
            return [];
        }

        var rows = await (
                from m in db.Memberships
                join u in db.Users on m.UserId equals u.Id
                where m.TenantId == tenantId
                select new { u.Id, u.DisplayName, u.Email, u.UserName, u.IsActive, m.Role })
            .ToListAsync(cancellationToken);
        var approvers = tenantId is { } id
            ? await db.ApproverListEntries.Where(e => e.TenantId == id).Select(e => e.UserId).ToListAsync(cancellationToken)
            : [];
        return rows
            .GroupBy(r => r.Id)
            .Select(g => new PersonRow(
                g.Key,
                string.IsNullOrWhiteSpace(g.First().DisplayName) ? g.First().UserName ?? g.Key : g.First().DisplayName,
                g.First().Email ?? "",
                g.First().IsActive,
                g.Select(r => r.Role).Order().ToList(),
                approvers.Contains(g.Key)))
            .OrderBy(p => p.DisplayName, StringComparer.OrdinalIgnoreCase)
            .ToList();
    }

    /// <summary>
    /// Gives an existing member of the provider or tenant another role there. Newcomers get an invitation. A tenant's
    /// SecurityOfficer role is governed like its policy (<see cref="ApproverListService.AppointOfficerAsync"/>): under the
    /// two-person rule it is proposed, and the outcome says so.
    /// </summary>
    public async Task<ChangeOutcome> GrantRoleAsync(ClaimsPrincipal principal, string userId, Guid? tenantId, PortalRole role, CancellationToken cancellationToken = default)
    {
        if (tenantId is { } tenant && role == PortalRole.SecurityOfficer)
        {
            return await governed.AppointOfficerAsync(principal, tenant, userId, cancellationToken);
        }

        await transactions.RunAsync(async db =>
        {
            var user = await gate.ActingUserAsync(db, principal, cancellationToken);
            await EnsureAsync(principal, new AdministrationResource(user, tenantId, role), AdministrationOperations.ChangeRole, userId, cancellationToken);
            var (person, memberships) = await MembershipChanges.MemberAsync(db, userId, tenantId, cancellationToken);
            if (!person.IsActive)
            {
                throw new PeopleRuleException("This person's account is deactivated.");
            }

            if (memberships.Any(m => m.Role == role))
            {
                throw new PeopleRuleException($"{person.ToActor().DisplayName} already holds {role} here.");
            }

            db.Memberships.Add(new Membership(person.Id, tenantId, role));
            AccountRules.ChangeSecurityStamp(person);
            await audit.AppendAsync(db, Record(AuditEventType.Membership_Granted, user, tenantId, person, new { Role = role.ToString() }), cancellationToken);
        }, cancellationToken);
        await PublishDirectoryAsync(userId, []);
        return ChangeOutcome.Applied;
    }

    /// <summary>
    /// Takes one role away. Taking the last role of a tenant's member removes them from the tenant; taking the
    /// Engineer role ends that engineer's open requests and grants at once (DESIGN.md rule 10). A tenant's
    /// SecurityOfficer role is governed (<see cref="ApproverListService.RemoveOfficerAsync"/>).
    /// </summary>
    public async Task<ChangeOutcome> RemoveRoleAsync(ClaimsPrincipal principal, string userId, Guid? tenantId, PortalRole role, CancellationToken cancellationToken = default)
    {
        if (tenantId is { } tenant && role == PortalRole.SecurityOfficer)
        {
            return await governed.RemoveOfficerAsync(principal, tenant, userId, cancellationToken);
        }

        var (closed, lists) = await transactions.RunAsync(async db =>
        {
            var user = await gate.ActingUserAsync(db, principal, cancellationToken);
            await EnsureAsync(principal, new AdministrationResource(user, tenantId, role), AdministrationOperations.ChangeRole, userId, cancellationToken);
            var (person, memberships) = await MembershipChanges.MemberAsync(db, userId, tenantId, cancellationToken);
            var membership = memberships.SingleOrDefault(m => m.Role == role)
                ?? throw new PeopleRuleException($"{person.ToActor().DisplayName} does not hold {role} here.");
            var left = await RemoveAsync(db, user, person, tenantId, [membership], cancellationToken);
            var ended = role == PortalRole.Engineer
                ? await CloseRequestsOfAsync(db, user, person, $"{person.ToActor().DisplayName} is no longer an Engineer (removed by {user.Actor.DisplayName}).", cancellationToken)
                : [];
            return (ended, left);
        }, cancellationToken);

        await PublishAsync(closed);
        await PublishDirectoryAsync(userId, lists);
        return ChangeOutcome.Applied;
    }

    /// <summary>An officer removes a person from their tenant: every role there, and their place on its approver list.</summary>
    public async Task RemoveFromTenantAsync(ClaimsPrincipal principal, string userId, Guid tenantId, CancellationToken cancellationToken = default)
    {
        var lists = await transactions.RunAsync(async db =>
        {
            var user = await gate.ActingUserAsync(db, principal, cancellationToken);

            // Tenant roles all follow one rule (an officer of the tenant), so the check needs no facts about the person.
            await EnsureAsync(principal, new AdministrationResource(user, tenantId, PortalRole.TenantAdmin),
                AdministrationOperations.ChangeRole, userId, cancellationToken);
            var (person, memberships) = await MembershipChanges.MemberAsync(db, userId, tenantId, cancellationToken);
            if (memberships.Any(m => m.Role == PortalRole.SecurityOfficer))
            {
                await EnsureOfficerNotGovernedAsync(db, user, person, tenantId, "RemoveFromTenant", cancellationToken);
            }

            return await RemoveAsync(db, user, person, tenantId, memberships, cancellationToken);
        }, cancellationToken);
        await PublishDirectoryAsync(userId, lists);
    }

    /// <summary>
    /// Deactivates a person: they cannot sign in, every session and open page loses access at its next validation
    /// (a new security stamp; one minute at most) and every service refuses them at once, they leave every approver
    /// list, their delegations end, and their open requests and grants end at once (DESIGN.md rule 10). Their
    /// memberships and past decisions stay, so the trail still names them.
    /// </summary>
    /// <remarks>
    /// Taking someone off a tenant's approver list is the tenant's to decide (DESIGN.md rule 11): a deactivation that
    /// would leave a tenant fewer approvers than its policy requires is refused, and the attempt is recorded in that
    /// tenant's trail. When it goes through, the tenant's officers are told: the removal is in their trail, and an
    /// <see cref="ApproverDeactivatedMessage"/> is handed to the outbound messages for the officers.
    /// </remarks>
    public async Task DeactivateAsync(ClaimsPrincipal principal, string userId, CancellationToken cancellationToken = default)
    {
        var (closed, approverTenants) = await transactions.RunAsync(async db =>
        {
            var user = await gate.ActingUserAsync(db, principal, cancellationToken);
            var person = await db.Users.SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
            var memberships = await db.Memberships.Where(m => m.UserId == userId).ToListAsync(cancellationToken);
            var target = new MembershipSet(memberships);
            var scope = target.Tenants.Count == 1 && !target.IsProviderStaff ? target.Tenants[0] : (Guid?)null;
            if (person is null)
            {
                throw new NotFoundException("person");
            }

            await EnsureAsync(principal, new AdministrationResource(user, scope, Target: target), AdministrationOperations.Deactivate, userId, cancellationToken);
            if (person.Id == user.UserId)
            {
                throw new PeopleRuleException("You cannot deactivate your own account.");
            }

            if (!person.IsActive)
            {
                throw new PeopleRuleException("This account is already deactivated.");
            }

            foreach (var membership in memberships)
            {
                await EnsureNotLastAsync(db, person, membership.TenantId, membership.Role, cancellationToken);
                if (membership is { Role: PortalRole.SecurityOfficer, TenantId: { } officerOf } && !user.Memberships.HasProviderRole(PortalRole.ProviderAdmin))
                {
                    await EnsureOfficerNotGovernedAsync(db, user, person, officerOf, nameof(AdministrationOperations.Deactivate), cancellationToken);
                }
            }

            var approverEntries = await db.ApproverListEntries.Where(e => e.UserId == userId).ToListAsync(cancellationToken);
            foreach (var entry in approverEntries)
            {
                await EnsureQuorumStaysReachableAsync(db, user, person, entry.TenantId, cancellationToken);
            }

            person.IsActive = false;
            AccountRules.ChangeSecurityStamp(person);
            db.ApproverListEntries.RemoveRange(approverEntries);
            foreach (var participant in deactivationParticipants)
            {
                await participant.OnDeactivatingAsync(db, person, user, cancellationToken);
            }

            foreach (var entry in approverEntries)
            {
                await audit.AppendAsync(db, new AuditRecord(AuditEventType.Approvers_Removed, user.Actor, entry.TenantId, "ApproverList", entry.TenantId.ToString(),
                    AuditRecord.Details(new { UserId = person.Id, person.ToActor().DisplayName, Reason = "deactivated" }), Client: user.Client), cancellationToken);
                await outbound.HandOffAsync(db, new OutboundMessage(ApproverDeactivatedMessage, entry.TenantId, person.Id, JsonSerializer.Serialize(new
                {
                    Approver = person.ToActor(),
                    DeactivatedBy = user.Actor,
                    At = time.GetUtcNow(),
                }, JsonSerializerOptions.Web)), cancellationToken);
            }

            var chains = memberships.Select(m => m.TenantId).Distinct().DefaultIfEmpty(null);
            foreach (var chain in chains)
            {
                await audit.AppendAsync(db, Record(AuditEventType.User_Deactivated, user, chain, person, new { person.Email }), cancellationToken);
            }

            var ended = await CloseRequestsOfAsync(db, user, person, $"{person.ToActor().DisplayName} was deactivated by {user.Actor.DisplayName}.", cancellationToken);
            return (ended, approverEntries.Select(e => e.TenantId).ToList());
        }, cancellationToken);

        await PublishAsync(closed);
        await PublishDirectoryAsync(userId, approverTenants);
    }

    /// <summary>
    /// Refuses (and records in the tenant's trail) a deactivation that would leave the tenant fewer approvers than
    /// its policy requires, so that nothing outside the tenant makes its requests impossible to approve.
    /// </summary>
    private async Task EnsureQuorumStaysReachableAsync(LockboxDbContext db, ActingUser user, PortalUser person, Guid tenantId, CancellationToken cancellationToken)
    {
        var tenant = await db.Tenants.AsNoTracking().SingleAsync(t => t.Id == tenantId, cancellationToken);
        var remaining = await db.ApproverListEntries.CountAsync(e => e.TenantId == tenantId && e.UserId != person.Id, cancellationToken);
        if (remaining >= tenant.Policy.RequiredApprovals)
        {
            return;
        }

        await audit.RecordRefusalAsync(user.Actor, tenantId, "ApproverList", tenantId.ToString(), nameof(AdministrationOperations.Deactivate),
            "quorum-unreachable", user.Client, cancellationToken);
        throw new PeopleRuleException(
            $"{person.ToActor().DisplayName} is on {tenant.Name}'s approver list, and {tenant.Name} needs {tenant.Policy.RequiredApprovals} " +
            $"approval(s) from {remaining + 1} approver(s). Only {tenant.Name}'s security officers change who approves for it: " +
            "ask them to add another approver (or lower the required approvals) first.");
    }

    /// <summary>
    /// Under a tenant's two-person rule, taking an officer away is a proposal a second officer approves
    /// (<see cref="ApproverListService.RemoveOfficerAsync"/>): another officer may neither remove them from the tenant nor
    /// deactivate them around it. Refused and recorded in the tenant's trail. The provider's admin may still deactivate
    /// an account (someone who left); the tenant's trail shows it.
    /// </summary>
    private async Task EnsureOfficerNotGovernedAsync(LockboxDbContext db, ActingUser user, PortalUser person, Guid tenantId, string operation, CancellationToken cancellationToken)
    {
        var tenant = await db.Tenants.AsNoTracking().SingleAsync(t => t.Id == tenantId, cancellationToken);
        if (!tenant.Policy.RequireSecondOfficer)
        {
            return;
        }

        await audit.RecordRefusalAsync(user.Actor, tenantId, Subject, person.Id, operation, "officer-governed", user.Client, cancellationToken);
        throw new PeopleRuleException(
            $"{person.ToActor().DisplayName} is a security officer of {tenant.Name}, whose two-person rule has a second officer approve taking that role away. " +
            "Propose removing their SecurityOfficer role first (the role's chip on this page); once a second officer approves, this is possible.");
    }

    /// <summary>Ends the person's pending requests and active grants in every tenant, each audited (DESIGN.md rule 10).</summary>
    private async Task<IReadOnlyList<RequestEvent>> CloseRequestsOfAsync(LockboxDbContext db, ActingUser user, PortalUser person, string why, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var open = await OpenRequestCloser.Open(db.AccessRequests.Where(r => r.RequesterId == person.Id)).ToListAsync(cancellationToken);
        return await closer.CloseAsync(db, open, user, r => r.CloseForOffboardedRequester(why, now), cancellationToken);
    }

    private async Task PublishAsync(IReadOnlyList<RequestEvent> closed)
    {
        foreach (var change in closed)
        {
            await requestNotifier.PublishAsync(change);
        }
    }

    /// <summary>
    /// After the commit: the person's open hub connections re-read what they may hear, and open queues of the tenants
    /// whose approver list they left read again (their pages also lose access at the next security-stamp check).
    /// </summary>
    private async Task PublishDirectoryAsync(string userId, IReadOnlyList<Guid> approverListsLeft)
    {
        var now = time.GetUtcNow();
        await directory.PublishAsync(new DirectoryChange(userId, now));
        foreach (var tenantId in approverListsLeft.Distinct())
        {
            await approverNotifier.PublishAsync(new ApproverChange(tenantId, ApproverChangeKind.ApproverRemoved, now));
        }
    }

    /// <summary>Removes the memberships; returns the tenant whose approver list the person left with them, if any.</summary>
    private async Task<IReadOnlyList<Guid>> RemoveAsync(
        LockboxDbContext db, ActingUser user, PortalUser person, Guid? tenantId, IReadOnlyList<Membership> removed, CancellationToken cancellationToken)
    {
        foreach (var membership in removed)
        {
            await EnsureNotLastAsync(db, person, tenantId, membership.Role, cancellationToken);
        }

        return await MembershipChanges.RemoveAsync(db, audit, user.Actor, user.Client, person, tenantId, removed, through: null, cancellationToken);
    }

    private static async Task EnsureNotLastAsync(LockboxDbContext db, PortalUser person, Guid? tenantId, PortalRole role, CancellationToken cancellationToken)
    {
        var guarded = (tenantId, role) switch
        {
            (null, PortalRole.ProviderAdmin) => "the last ProviderAdmin",
            (not null, PortalRole.SecurityOfficer) => "the last SecurityOfficer of this tenant",
            _ => null,
        };
        if (guarded is not null && person.IsActive && !await RoleHolders.HasActiveHolderAsync(db, tenantId, role, person.Id, cancellationToken))
        {
            throw new PeopleRuleException($"{person.ToActor().DisplayName} is {guarded}; appoint another first.");
        }
    }

    private Task EnsureAsync(
        ClaimsPrincipal principal, AdministrationResource resource, Microsoft.AspNetCore.Authorization.Infrastructure.OperationAuthorizationRequirement operation,
        string userId, CancellationToken cancellationToken) =>
        gate.EnsureAsync(principal, resource with { SubjectType = Subject, SubjectId = userId }, operation, cancellationToken, resource.Role?.ToString());

    private static AuditRecord Record(AuditEventType type, ActingUser user, Guid? tenantId, PortalUser person, object details) =>
        new(type, user.Actor, tenantId, Subject, person.Id, AuditRecord.Details(details), Client: user.Client);
}

/// <summary>A rule about people refused the change (the last officer, an already-held role, ...).</summary>
public sealed class PeopleRuleException(string message) : LockboxRuleException(message)
{
    public override string Code => "people-rule";
}
