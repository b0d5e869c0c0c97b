using System.Security.Claims;
using LockboxPortal.Authorization;
using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Tenants;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Features.Approvers;

/// <summary>
/// Changes to a tenant's approver list and policy (DESIGN.md rule 3). Each is one transaction: authorize through
/// the gate (<see cref="ApproverAuthorizationHandler"/>), apply the rule, append the audit entry with the values
/// before and after, save, then publish an <see cref="ApproverChange"/> so open queues read again.
/// Every change is a <see cref="GovernedChange"/> that passes through <see cref="GovernAsync"/>: the one place where,
/// under the tenant's two-person rule, it is proposed instead of applied (ApproverListService.TwoPerson.cs).
/// </summary>
public sealed partial class ApproverListService(
    LockboxTransactions transactions,
    OperationGate gate,
    AuditWriter audit,
    ApproverNotifier notifier,
    DirectoryNotifier directory,
    IOutboundMessages outbound,
    TimeProvider time)
{
    /// <summary>The form field a refusal about the escalation list concerns.</summary>
    public const string EscalationField = "EscalationUserId";

    /// <summary>The field a catalogue entry's problems are keyed by, beside the add row on the policy page.</summary>
    public const string CatalogueField = "Catalogue";

    public Task<ChangeOutcome> AddApproverAsync(ClaimsPrincipal principal, Guid tenantId, string userId, CancellationToken cancellationToken = default) =>
        GovernAsync(principal, tenantId, new GovernedChange.AddApprover(userId), cancellationToken);

    /// <summary>
    /// Takes someone off the list. It takes effect at once: their next decision is refused, and the delegations they
    /// gave are revoked too (their authority, which those lent, is gone).
    /// </summary>
    public Task<ChangeOutcome> RemoveApproverAsync(ClaimsPrincipal principal, Guid tenantId, string userId, CancellationToken cancellationToken = default) =>
        GovernAsync(principal, tenantId, new GovernedChange.RemoveApprover(userId), cancellationToken);

    /// <summary>
    /// Puts an active TenantAdmin on the tenant's escalation list: they may decide the tenant's requests once one is
    /// escalated (never before), under the same rules as the approvers. Someone on the approver list already decides
    /// every request, so they cannot be on both.
    /// </summary>
    public Task<ChangeOutcome> AddEscalationApproverAsync(ClaimsPrincipal principal, Guid tenantId, string userId, CancellationToken cancellationToken = default) =>
        GovernAsync(principal, tenantId, new GovernedChange.AddEscalationApprover(userId), cancellationToken);

    /// <summary>Takes someone off the escalation list, at once; the delegations they gave are revoked too.</summary>
    public Task<ChangeOutcome> RemoveEscalationApproverAsync(ClaimsPrincipal principal, Guid tenantId, string userId, CancellationToken cancellationToken = default) =>
        GovernAsync(principal, tenantId, new GovernedChange.RemoveEscalationApprover(userId), cancellationToken);

    /// <summary>
    /// Replaces the tenant's policy. Requests already at the customer stage keep the quorum fixed when they got there.
    /// Unchanged when nothing differed (nothing is written then).
    /// </summary>
    public Task<ChangeOutcome> ChangePolicyAsync(ClaimsPrincipal principal, Guid tenantId, TenantPolicy policy, CancellationToken cancellationToken = default) =>
        GovernAsync(principal, tenantId, new GovernedChange.ReplacePolicy(policy), cancellationToken);

    /// <summary>
    /// Adds a scope the tenant's engineers may request, with its highest access level and longest duration (at most
    /// the policy's maximum grant). A change to the policy, so it is authorized and audited as one. Returns the entry,
    /// or null when the two-person rule holds it for a second officer.
    /// </summary>
    public async Task<ScopeCatalogueEntry?> AddCatalogueEntryAsync(
        ClaimsPrincipal principal, Guid tenantId, string? pattern, AccessLevel maxAccessLevel, TimeSpan maxDuration, CancellationToken cancellationToken = default)
    {
        var outcome = await GovernAsync(principal, tenantId, new GovernedChange.AddCatalogueEntry(pattern, maxAccessLevel, maxDuration), cancellationToken);
        if (outcome != ChangeOutcome.Applied)
        {
            return null;
        }

        var clean = ScopeCatalogue.Clean(pattern).Pattern;
        return await transactions.RunAsync(db =>
            db.ScopeCatalogueEntries.AsNoTracking().SingleAsync(e => e.TenantId == tenantId && e.Pattern == clean, cancellationToken), cancellationToken);
    }

    /// <summary>Removes a scope from the catalogue; the last one cannot go while the tenant requires the catalogue.</summary>
    public Task<ChangeOutcome> RemoveCatalogueEntryAsync(ClaimsPrincipal principal, Guid tenantId, Guid entryId, CancellationToken cancellationToken = default) =>
        GovernAsync(principal, tenantId, new GovernedChange.RemoveCatalogueEntry(entryId), cancellationToken);

    /// <summary>
    /// Checks <paramref name="change"/> against the tenant as it is now and says what it would do, or (null) that it
    /// asks for what already holds. Bad input is refused here with its field, whether the change is applied or only
    /// proposed. With <paramref name="apply"/>, it also makes the change and appends its audit entry, naming
    /// <paramref name="approved"/> when a second officer's approval is what applies it.
    /// </summary>
    private async Task<ChangeEffect?> RunChangeAsync(
        LockboxDbContext db, ActingUser user, Guid tenantId, GovernedChange change, bool apply, PolicyChange? approved, CancellationToken cancellationToken,
        bool alone = false)
    {
        var now = time.GetUtcNow();
        object? twoPerson = approved is not null
            ? new { ChangeId = approved.Id, ProposedBy = approved.ProposedBy, ApprovedBy = user.Actor }
            : alone ? new { Alone = AloneNote } : null;
        switch (change)
        {
            case GovernedChange.AppointOfficer or GovernedChange.RemoveOfficer:
                return await RunOfficerChangeAsync(db, user, tenantId, change, apply, twoPerson, cancellationToken);

            case GovernedChange.AddApprover(var userId):
            {
                var before = await ApproverReads.ApproversOfAsync(db, tenantId, cancellationToken);
                if (before.Any(a => a.Person.UserId == userId))
                {
                    throw InvalidInputException.For("UserId", "This person is already on the approver list.");
                }

                // Only the tenant's own admins can decide for it; another tenant's user looks exactly like a stranger.
                if (!await ApprovalAuthorities.IsActiveTenantAdminAsync(db, userId, tenantId, cancellationToken))
                {
                    throw InvalidInputException.For("UserId", "Only active TenantAdmins of this tenant can be approvers.");
                }

                if (await db.EscalationListEntries.AnyAsync(e => e.TenantId == tenantId && e.UserId == userId, cancellationToken))
                {
                    throw InvalidInputException.For("UserId", "This person is on the escalation list; take them off it first.");
                }

                var person = (await db.Users.AsNoTracking().SingleAsync(u => u.Id == userId, cancellationToken)).ToActor();
                var after = People(before).Append(person).OrderBy(p => p.DisplayName).ToList();
                if (apply)
                {
                    db.ApproverListEntries.Add(new ApproverListEntry(tenantId, userId, now));
                    await audit.AppendAsync(db, new AuditRecord(
                        AuditEventType.Approvers_Added, user.Actor, tenantId, ApproverResource.ListSubject, tenantId.ToString(),
                        AuditRecord.Details(new { Approver = person, Before = People(before), After = after, TwoPerson = twoPerson }),
                        Client: user.Client), cancellationToken);
                }

                return new ChangeEffect($"Add {person.DisplayName} to the approver list", [new("Approver list", Names(People(before)), Names(after))]);
            }

            case GovernedChange.RemoveApprover(var userId):
            {
                var before = await ApproverReads.ApproversOfAsync(db, tenantId, cancellationToken);
                var entry = await db.ApproverListEntries.SingleOrDefaultAsync(e => e.TenantId == tenantId && e.UserId == userId, cancellationToken)
                    ?? throw InvalidInputException.For("UserId", "This person is not on the approver list.");
                var policy = await PolicyOfAsync(db, tenantId, cancellationToken);
                var left = policy.Validate(before.Count - 1);
                if (left.ContainsKey(nameof(TenantPolicy.RequiredApprovals)) || left.ContainsKey(nameof(TenantPolicy.StricterRequiredApprovals)))
                {
                    var needed = policy.StricterReasons != RequestReasons.None ? policy.StricterRequiredApprovals : policy.RequiredApprovals;
                    throw InvalidInputException.For("UserId",
                        $"The policy needs {needed} approvals for some requests; lower required approvals before removing an approver.");
                }

                var after = before.Where(a => a.Person.UserId != userId).ToList();
                var person = before.Single(a => a.Person.UserId == userId).Person;
                if (apply)
                {
                    db.ApproverListEntries.Remove(entry);
                    await audit.AppendAsync(db, new AuditRecord(
                        AuditEventType.Approvers_Removed, user.Actor, tenantId, ApproverResource.ListSubject, tenantId.ToString(),
                        AuditRecord.Details(new { Approver = person, Before = People(before), After = People(after), TwoPerson = twoPerson }),
                        Client: user.Client), cancellationToken);

                    await DelegationService.RevokeOpenDelegationsAsync(
                        db, audit, outbound, user, d => d.TenantId == tenantId && d.DelegatorId == userId,
                        "The delegator was removed from the approver list.", now, cancellationToken);
                }

                return new ChangeEffect($"Remove {person.DisplayName} from the approver list", [new("Approver list", Names(People(before)), Names(People(after)))]);
            }

            case GovernedChange.AddEscalationApprover(var userId):
            {
                var before = await ApproverReads.EscalationApproversOfAsync(db, tenantId, cancellationToken);
                if (before.Any(a => a.Person.UserId == userId))
                {
                    throw InvalidInputException.For(EscalationField, "This person is already on the escalation list.");
                }

                if (!await ApprovalAuthorities.IsActiveTenantAdminAsync(db, userId, tenantId, cancellationToken))
                {
                    throw InvalidInputException.For(EscalationField, "Only active TenantAdmins of this tenant can be escalation approvers.");
                }

                if (await db.ApproverListEntries.AnyAsync(e => e.TenantId == tenantId && e.UserId == userId, cancellationToken))
                {
                    throw InvalidInputException.For(EscalationField, "This person is on the approver list and already decides every request.");
                }

                var person = (await db.Users.AsNoTracking().SingleAsync(u => u.Id == userId, cancellationToken)).ToActor();
                var after = People(before).Append(person).OrderBy(p => p.DisplayName).ToList();
                if (apply)
                {
                    db.EscalationListEntries.Add(new EscalationListEntry(tenantId, userId, now));
                    await audit.AppendAsync(db, new AuditRecord(
                        AuditEventType.Approvers_EscalationAdded, user.Actor, tenantId, ApproverResource.ListSubject, tenantId.ToString(),
                        AuditRecord.Details(new { Approver = person, Before = People(before), After = after, TwoPerson = twoPerson }),
                        Client: user.Client), cancellationToken);
                }

                return new ChangeEffect($"Add {person.DisplayName} to the escalation list", [new("Escalation list", Names(People(before)), Names(after))]);
            }

            case GovernedChange.RemoveEscalationApprover(var userId):
            {
                var before = await ApproverReads.EscalationApproversOfAsync(db, tenantId, cancellationToken);
                var entry = await db.EscalationListEntries.SingleOrDefaultAsync(e => e.TenantId == tenantId && e.UserId == userId, cancellationToken)
                    ?? throw InvalidInputException.For(EscalationField, "This person is not on the escalation list.");
                var policy = await PolicyOfAsync(db, tenantId, cancellationToken);
                if (policy.EscalateAfter is not null && before.Count == 1)
                {
                    throw InvalidInputException.For(EscalationField, "Escalation is on and needs someone on this list; turn escalation off before removing the last one.");
                }

                var person = before.Single(a => a.Person.UserId == userId).Person;
                var after = People(before.Where(a => a.Person.UserId != userId)).ToList();
                if (apply)
                {
                    db.EscalationListEntries.Remove(entry);
                    await audit.AppendAsync(db, new AuditRecord(
                        AuditEventType.Approvers_EscalationRemoved, user.Actor, tenantId, ApproverResource.ListSubject, tenantId.ToString(),
                        AuditRecord.Details(new { Approver = person, Before = People(before), After = after, TwoPerson = twoPerson }),
                        Client: user.Client), cancellationToken);

                    await DelegationService.RevokeOpenDelegationsAsync(
                        db, audit, outbound, user, d => d.TenantId == tenantId && d.DelegatorId == userId,
                        "The delegator was removed from the escalation list.", now, cancellationToken);
                }

                return new ChangeEffect($"Remove {person.DisplayName} from the escalation list", [new("Escalation list", Names(People(before)), Names(after))]);
            }

            case GovernedChange.ReplacePolicy(var policy):
            {
                var approverCount = await db.ApproverListEntries.CountAsync(e => e.TenantId == tenantId, cancellationToken);
                var escalationCount = await db.EscalationListEntries.CountAsync(e => e.TenantId == tenantId, cancellationToken);
                var errors = policy.Validate(approverCount, escalationCount).ToDictionary();
                if (policy.RequireCatalogue && !await db.ScopeCatalogueEntries.AnyAsync(e => e.TenantId == tenantId, cancellationToken))
                {
                    errors[nameof(TenantPolicy.RequireCatalogue)] = "Add a scope to the catalogue before requiring it, or nobody can file a request.";
                }

                if (errors.Count > 0)
                {
                    throw new InvalidInputException(errors.ToDictionary(e => e.Key, e => new[] { e.Value }));
                }

                var tenant = await db.Tenants.SingleAsync(t => t.Id == tenantId, cancellationToken);
                var before = PolicySnapshot.Of(tenant.Policy);
                var after = PolicySnapshot.Of(policy);
                var lines = PolicyLines.Between(tenant.Policy, policy);
                if (before == after && lines.Count == 0)
                {
                    return null;
                }

                if (apply)
                {
                    tenant.ChangePolicy(policy);
                    await audit.AppendAsync(db, new AuditRecord(
                        AuditEventType.Policy_Changed, user.Actor, tenantId, ApproverResource.PolicySubject, tenantId.ToString(),
                        AuditRecord.Details(new { Before = before, After = after, TwoPerson = twoPerson }), Client: user.Client), cancellationToken);
                }

                return new ChangeEffect("Change the policy", lines);
            }

            case GovernedChange.AddCatalogueEntry(var pattern, var maxAccessLevel, var maxDuration):
            {
                var policy = await PolicyOfAsync(db, tenantId, cancellationToken);
                var (clean, error) = ScopeCatalogue.Clean(pattern);
                var errors = new Dictionary<string, string[]>();
                if (clean is null)
                {
                    errors[CatalogueField] = [error!];
                }
                else if (await db.ScopeCatalogueEntries.AnyAsync(e => e.TenantId == tenantId && e.Pattern == clean, cancellationToken))
                {
                    errors[CatalogueField] = [$"{clean} is already in the catalogue."];
                }

                if (!Enum.IsDefined(maxAccessLevel))
                {
                    errors[nameof(ScopeCatalogueEntry.MaxAccessLevel)] = ["The access level must be Read or ReadWrite."];
                }

                if (maxDuration < TenantPolicy.MinGrantDuration || maxDuration > policy.MaxGrantDuration)
                {
                    errors[nameof(ScopeCatalogueEntry.MaxDuration)] =
                        [$"The longest duration must be between {Durations.Format(TenantPolicy.MinGrantDuration)} and the tenant's maximum grant of {Durations.Format(policy.MaxGrantDuration)}."];
                }

                if (errors.Count > 0)
                {
                    throw new InvalidInputException(errors);
                }

                if (apply)
                {
                    var entry = new ScopeCatalogueEntry(tenantId, clean!, maxAccessLevel, maxDuration, now);
                    db.ScopeCatalogueEntries.Add(entry);
                    await audit.AppendAsync(db, new AuditRecord(
                        AuditEventType.Catalogue_EntryAdded, user.Actor, tenantId, ApproverResource.PolicySubject, tenantId.ToString(),
                        AuditRecord.Details(new { entry.Pattern, MaxAccessLevel = entry.MaxAccessLevel.ToString(), MaxDuration = entry.MaxDuration.ToString("c"), TwoPerson = twoPerson }),
                        Client: user.Client), cancellationToken);
                }

                return new ChangeEffect($"Add {clean} to the scope catalogue",
                    [new("Scope catalogue", "not in it", $"{clean}: {RequestWords.Access(maxAccessLevel)}, at most {Durations.Format(maxDuration)}")]);
            }

            case GovernedChange.RemoveCatalogueEntry(var entryId):
            {
                var entry = await db.ScopeCatalogueEntries.SingleOrDefaultAsync(e => e.TenantId == tenantId && e.Id == entryId, cancellationToken)
                    ?? throw new NotFoundException("catalogue entry");
                var policy = await PolicyOfAsync(db, tenantId, cancellationToken);
                if (policy.RequireCatalogue && await db.ScopeCatalogueEntries.CountAsync(e => e.TenantId == tenantId, cancellationToken) == 1)
                {
                    throw InvalidInputException.For(CatalogueField, "The tenant requires the catalogue; turn that off before removing its last scope.");
                }

                if (apply)
                {
                    db.ScopeCatalogueEntries.Remove(entry);
                    await audit.AppendAsync(db, new AuditRecord(
                        AuditEventType.Catalogue_EntryRemoved, user.Actor, tenantId, ApproverResource.PolicySubject, tenantId.ToString(),
                        AuditRecord.Details(new { entry.Pattern, TwoPerson = twoPerson }), Client: user.Client), cancellationToken);
                }

                return new ChangeEffect($"Remove {entry.Pattern} from the scope catalogue",
                    [new("Scope catalogue", $"{entry.Pattern}: {RequestWords.Access(entry.MaxAccessLevel)}, at most {Durations.Format(entry.MaxDuration)}", "not in it")]);
            }

            default:
                throw new InvalidOperationException($"Unknown governed change '{change.GetType().Name}'.");
        }
    }

    /// <summary>The operation a change needs the person to be allowed, and the resource it is decided on.</summary>
    private static (OperationAuthorizationRequirement Operation, IGuardedResource Resource) OperationFor(GovernedChange change, ActingUser user, Guid tenantId, bool found) =>
        change switch
        {
            // The People page's rule: only the tenant's own officers give or take its roles.
            GovernedChange.AppointOfficer(var userId) => (AdministrationOperations.ChangeRole, OfficerRole(user, tenantId, userId)),
            GovernedChange.RemoveOfficer(var userId) => (AdministrationOperations.ChangeRole, OfficerRole(user, tenantId, userId)),
            GovernedChange.AddApprover or GovernedChange.AddEscalationApprover => (ApproverOperations.AddApprover, ApproverResource.ApproverList(user, tenantId, found)),
            GovernedChange.RemoveApprover or GovernedChange.RemoveEscalationApprover => (ApproverOperations.RemoveApprover, ApproverResource.ApproverList(user, tenantId, found)),
            GovernedChange.ReplacePolicy or GovernedChange.AddCatalogueEntry or GovernedChange.RemoveCatalogueEntry =>
                (ApproverOperations.ChangePolicy, ApproverResource.Policy(user, tenantId, found)),
            _ => throw new InvalidOperationException($"Unknown governed change '{change.GetType().Name}'."),
        };

    private static AdministrationResource OfficerRole(ActingUser user, Guid tenantId, string userId) =>
        new(user, tenantId, PortalRole.SecurityOfficer) { SubjectType = AdministrationResource.PersonSubject, SubjectId = userId };

    private static ApproverChangeKind KindOf(GovernedChange change) => change switch
    {
        GovernedChange.AddApprover or GovernedChange.AddEscalationApprover => ApproverChangeKind.ApproverAdded,
        GovernedChange.RemoveApprover or GovernedChange.RemoveEscalationApprover => ApproverChangeKind.ApproverRemoved,
        _ => ApproverChangeKind.PolicyChanged,
    };

    private async Task<ActingUser> AuthorizeAsync(
        LockboxDbContext db, ClaimsPrincipal principal, Guid tenantId, GovernedChange change, CancellationToken cancellationToken)
    {
        var user = await gate.ActingUserAsync(db, principal, cancellationToken);
        var found = await db.Tenants.AnyAsync(t => t.Id == tenantId, cancellationToken);
        var (operation, resource) = OperationFor(change, user, tenantId, found);
        await gate.EnsureAsync(principal, resource, operation, cancellationToken, (resource as AdministrationResource)?.Role?.ToString());
        if (operation == ApproverOperations.ChangePolicy)
        {
            // The stored policy decides, so turning the requirement off needs the second factor while it is on.
            var required = (await PolicyOfAsync(db, tenantId, cancellationToken)).RequireTwoFactor;
            await gate.EnsureSecondFactorAsync(resource, operation.Name, required, cancellationToken);
        }

        return user;
    }

    private static Task<TenantPolicy> PolicyOfAsync(LockboxDbContext db, Guid tenantId, CancellationToken cancellationToken) =>
        db.Tenants.Where(t => t.Id == tenantId).Select(t => t.Policy).SingleAsync(cancellationToken);

    private static IEnumerable<Actor> People(IEnumerable<ApproverRow> rows) => rows.Select(r => r.Person);

    private static string Names(IEnumerable<Actor> people) => people.Any() ? string.Join(", ", people.Select(p => p.DisplayName)) : "nobody";

    private Task PublishAsync(Guid tenantId, ApproverChangeKind kind) =>
        notifier.PublishAsync(new ApproverChange(tenantId, kind, time.GetUtcNow()));
}
