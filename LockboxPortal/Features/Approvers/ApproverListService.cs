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
/// </summary>
public sealed class ApproverListService(
    LockboxTransactions transactions,
    OperationGate gate,
    AuditWriter audit,
    ApproverNotifier notifier,
    IOutboundMessages outbound,
    TimeProvider time)
{
    /// <summary>The form field a refusal about the escalation list concerns.</summary>
    public const string EscalationField = "EscalationUserId";

    public async Task AddApproverAsync(ClaimsPrincipal principal, Guid tenantId, string userId, CancellationToken cancellationToken = default)
    {
        await transactions.RunAsync(async db =>
        {
            var user = await AuthorizeAsync(db, principal, tenantId, ApproverOperations.AddApprover, cancellationToken);
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
            db.ApproverListEntries.Add(new ApproverListEntry(tenantId, userId, time.GetUtcNow()));
            await audit.AppendAsync(db, new AuditRecord(
                AuditEventType.Approvers_Added, user.Actor, tenantId, ApproverResource.ListSubject, tenantId.ToString(),
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
            var user = await AuthorizeAsync(db, principal, tenantId, ApproverOperations.RemoveApprover, cancellationToken);
            var before = await ApproverReads.ApproversOfAsync(db, tenantId, cancellationToken);
            var entry = await db.ApproverListEntries.SingleOrDefaultAsync(e => e.TenantId == tenantId && e.UserId == userId, cancellationToken)
                ?? throw InvalidInputException.For("UserId", "This person is not on the approver list.");
            var policy = await db.Tenants.Where(t => t.Id == tenantId).Select(t => t.Policy).SingleAsync(cancellationToken);
            var left = policy.Validate(before.Count - 1);
            if (left.ContainsKey(nameof(TenantPolicy.RequiredApprovals)) || left.ContainsKey(nameof(TenantPolicy.StricterRequiredApprovals)))
            {
                var needed = policy.StricterReasons != RequestReasons.None ? policy.StricterRequiredApprovals : policy.RequiredApprovals;
                throw InvalidInputException.For("UserId",
                    $"The policy needs {needed} approvals for some requests; lower required approvals before removing an approver.");
            }

            db.ApproverListEntries.Remove(entry);
            var after = before.Where(a => a.Person.UserId != userId).ToList();
            var person = before.Single(a => a.Person.UserId == userId).Person;
            await audit.AppendAsync(db, new AuditRecord(
                AuditEventType.Approvers_Removed, user.Actor, tenantId, ApproverResource.ListSubject, tenantId.ToString(),
                AuditRecord.Details(new { Approver = person, Before = People(before), After = People(after) }),
                Client: user.Client), cancellationToken);

            await DelegationService.RevokeOpenDelegationsAsync(
                db, audit, outbound, user, d => d.TenantId == tenantId && d.DelegatorId == userId,
                "The delegator was removed from the approver list.", time.GetUtcNow(), cancellationToken);
        }, cancellationToken);

        await PublishAsync(tenantId, ApproverChangeKind.ApproverRemoved);
    }

    /// <summary>
    /// Puts an active TenantAdmin on the tenant's escalation list: they may decide the tenant's requests once one is
    /// escalated (never before), under the same rules as the approvers. Someone on the approver list already decides
    /// every request, so they cannot be on both.
    /// </summary>
    public async Task AddEscalationApproverAsync(ClaimsPrincipal principal, Guid tenantId, string userId, CancellationToken cancellationToken = default)
    {
        await transactions.RunAsync(async db =>
        {
            var user = await AuthorizeAsync(db, principal, tenantId, ApproverOperations.AddApprover, cancellationToken);
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
            db.EscalationListEntries.Add(new EscalationListEntry(tenantId, userId, time.GetUtcNow()));
            await audit.AppendAsync(db, new AuditRecord(
                AuditEventType.Approvers_EscalationAdded, user.Actor, tenantId, ApproverResource.ListSubject, tenantId.ToString(),
                AuditRecord.Details(new { Approver = person, Before = People(before), After = People(before).Append(person).OrderBy(p => p.DisplayName) }),
                Client: user.Client), cancellationToken);
        }, cancellationToken);

        await PublishAsync(tenantId, ApproverChangeKind.ApproverAdded);
    }

    /// <summary>Takes someone off the escalation list, at once; the delegations they gave are revoked too.</summary>
    public async Task RemoveEscalationApproverAsync(ClaimsPrincipal principal, Guid tenantId, string userId, CancellationToken cancellationToken = default)
    {
        await transactions.RunAsync(async db =>
        {
            var user = await AuthorizeAsync(db, principal, tenantId, ApproverOperations.RemoveApprover, cancellationToken);
            var before = await ApproverReads.EscalationApproversOfAsync(db, tenantId, cancellationToken);
            var entry = await db.EscalationListEntries.SingleOrDefaultAsync(e => e.TenantId == tenantId && e.UserId == userId, cancellationToken)
                ?? throw InvalidInputException.For(EscalationField, "This person is not on the escalation list.");
            var policy = await db.Tenants.Where(t => t.Id == tenantId).Select(t => t.Policy).SingleAsync(cancellationToken);
            if (policy.EscalateAfter is not null && before.Count == 1)
            {
                throw InvalidInputException.For(EscalationField, "Escalation is on and needs someone on this list; turn escalation off before removing the last one.");
            }

            db.EscalationListEntries.Remove(entry);
            var person = before.Single(a => a.Person.UserId == userId).Person;
            await audit.AppendAsync(db, new AuditRecord(
                AuditEventType.Approvers_EscalationRemoved, user.Actor, tenantId, ApproverResource.ListSubject, tenantId.ToString(),
                AuditRecord.Details(new { Approver = person, Before = People(before), After = People(before.Where(a => a.Person.UserId != userId)) }),
                Client: user.Client), cancellationToken);

            await DelegationService.RevokeOpenDelegationsAsync(
                db, audit, outbound, user, d => d.TenantId == tenantId && d.DelegatorId == userId,
                "The delegator was removed from the escalation list.", time.GetUtcNow(), cancellationToken);
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
            var user = await AuthorizeAsync(db, principal, tenantId, ApproverOperations.ChangePolicy, cancellationToken);
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
            if (before == after)
            {
                return false;
            }

            tenant.ChangePolicy(policy);
            await audit.AppendAsync(db, new AuditRecord(
                AuditEventType.Policy_Changed, user.Actor, tenantId, ApproverResource.PolicySubject, tenantId.ToString(),
                AuditRecord.Details(new { Before = before, After = after }), Client: user.Client), cancellationToken);
            return true;
        }, cancellationToken);

        if (changed)
        {
            await PublishAsync(tenantId, ApproverChangeKind.PolicyChanged);
        }

        return changed;
    }

    /// <summary>The field a catalogue entry's problems are keyed by, beside the add row on the policy page.</summary>
    public const string CatalogueField = "Catalogue";

    /// <summary>
    /// Adds a scope the tenant's engineers may request, with its highest access level and longest duration (at most
    /// the policy's maximum grant). A change to the policy, so it is authorized and audited as one.
    /// </summary>
    public async Task<ScopeCatalogueEntry> AddCatalogueEntryAsync(
        ClaimsPrincipal principal, Guid tenantId, string? pattern, AccessLevel maxAccessLevel, TimeSpan maxDuration, CancellationToken cancellationToken = default)
    {
        var added = await transactions.RunAsync(async db =>
        {
            var user = await AuthorizeAsync(db, principal, tenantId, ApproverOperations.ChangePolicy, cancellationToken);
            var policy = await db.Tenants.Where(t => t.Id == tenantId).Select(t => t.Policy).SingleAsync(cancellationToken);
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

            var entry = new ScopeCatalogueEntry(tenantId, clean!, maxAccessLevel, maxDuration, time.GetUtcNow());
            db.ScopeCatalogueEntries.Add(entry);
            await audit.AppendAsync(db, new AuditRecord(
                AuditEventType.Catalogue_EntryAdded, user.Actor, tenantId, ApproverResource.PolicySubject, tenantId.ToString(),
                AuditRecord.Details(new { entry.Pattern, MaxAccessLevel = entry.MaxAccessLevel.ToString(), MaxDuration = entry.MaxDuration.ToString("c") }),
                Client: user.Client), cancellationToken);
            return entry;
        }, cancellationToken);

        await PublishAsync(tenantId, ApproverChangeKind.PolicyChanged);
        return added;
    }

    /// <summary>Removes a scope from the catalogue; the last one cannot go while the tenant requires the catalogue.</summary>
    public async Task RemoveCatalogueEntryAsync(ClaimsPrincipal principal, Guid tenantId, Guid entryId, CancellationToken cancellationToken = default)
    {
        await transactions.RunAsync(async db =>
        {
            var user = await AuthorizeAsync(db, principal, tenantId, ApproverOperations.ChangePolicy, cancellationToken);
            var entry = await db.ScopeCatalogueEntries.SingleOrDefaultAsync(e => e.TenantId == tenantId && e.Id == entryId, cancellationToken)
                ?? throw new NotFoundException("catalogue entry");
            var policy = await db.Tenants.Where(t => t.Id == tenantId).Select(t => t.Policy).SingleAsync(cancellationToken);
            if (policy.RequireCatalogue && await db.ScopeCatalogueEntries.CountAsync(e => e.TenantId == tenantId, cancellationToken) == 1)
            {
                throw InvalidInputException.For(CatalogueField, "The tenant requires the catalogue; turn that off before removing its last scope.");
            }

            db.ScopeCatalogueEntries.Remove(entry);
            await audit.AppendAsync(db, new AuditRecord(
                AuditEventType.Catalogue_EntryRemoved, user.Actor, tenantId, ApproverResource.PolicySubject, tenantId.ToString(),
                AuditRecord.Details(new { entry.Pattern }), Client: user.Client), cancellationToken);
            return entry;
        }, cancellationToken);

        await PublishAsync(tenantId, ApproverChangeKind.PolicyChanged);
    }

    private async Task<ActingUser> AuthorizeAsync(
        LockboxDbContext db, ClaimsPrincipal principal, Guid tenantId, OperationAuthorizationRequirement operation, CancellationToken cancellationToken)
    {
        var user = await gate.ActingUserAsync(db, principal, cancellationToken);
        var found = await db.Tenants.AnyAsync(t => t.Id == tenantId, cancellationToken);
        var resource = operation == ApproverOperations.ChangePolicy
            ? ApproverResource.Policy(user, tenantId, found)
            : ApproverResource.ApproverList(user, tenantId, found);
        await gate.EnsureAsync(principal, resource, operation, cancellationToken);
        if (operation == ApproverOperations.ChangePolicy)
        {
            // The stored policy decides, so turning the requirement off needs the second factor while it is on.
            var required = await db.Tenants.Where(t => t.Id == tenantId).Select(t => t.Policy.RequireTwoFactor).SingleAsync(cancellationToken);
            await gate.EnsureSecondFactorAsync(resource, operation.Name, required, cancellationToken);
        }

        return user;
    }

    private static IEnumerable<Actor> People(IEnumerable<ApproverRow> rows) => rows.Select(r => r.Person);

    private Task PublishAsync(Guid tenantId, ApproverChangeKind kind) =>
        notifier.PublishAsync(new ApproverChange(tenantId, kind, time.GetUtcNow()));
}
