using System.Security.Claims;
using System.Text.Json;
using LockboxPortal.Authorization;
using LockboxPortal.Data;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Tenants;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Features.Approvers;

/// <summary>
/// The two-person rule (docs/decisions/0015-two-person-rule.md): with <see cref="TenantPolicy.RequireSecondOfficer"/>
/// on, every change to what the officers govern is stored as a <see cref="PolicyChange"/> and applies only when a
/// second officer of the tenant approves it; until then the old policy holds. Otherwise one officer could set the
/// quorum to 1 and put himself on the list.
/// </summary>
public sealed partial class ApproverListService
{
    /// <summary>The outbox message that tells the tenant's other officers a change waits for them.</summary>
    public const string PolicyChangeProposedMessage = "PolicyChange.Proposed";

    /// <summary>
    /// The one place a governed change goes through: authorized, checked, then applied, or under the two-person rule
    /// proposed (audited, the other officers emailed). Turning the rule on needs two active officers.
    /// </summary>
    private async Task<ChangeOutcome> GovernAsync(ClaimsPrincipal principal, Guid tenantId, GovernedChange change, CancellationToken cancellationToken)
    {
        var outcome = await transactions.RunAsync(async db =>
        {
            var user = await AuthorizeAsync(db, principal, tenantId, change, cancellationToken);
            var tenant = await db.Tenants.AsNoTracking().SingleAsync(t => t.Id == tenantId, cancellationToken);
            if (!tenant.Policy.RequireSecondOfficer)
            {
                if (change is GovernedChange.ReplacePolicy { Policy.RequireSecondOfficer: true })
                {
                    await EnsureTwoOfficersAsync(db, tenant, cancellationToken);
                }

                return await RunChangeAsync(db, user, tenantId, change, apply: true, approved: null, cancellationToken) is null
                    ? ChangeOutcome.Unchanged
                    : ChangeOutcome.Applied;
            }

            // Checked as if applied now, so a bad value is refused beside its field instead of waiting for a second officer.
            if (await RunChangeAsync(db, user, tenantId, change, apply: false, approved: null, cancellationToken) is not { } effect)
            {
                return ChangeOutcome.Unchanged;
            }

            var officers = await GovernedState.ActiveOfficersAsync(db, tenantId, cancellationToken);
            if (!officers.Any(o => !o.IsSamePerson(user.Actor)) && change is GovernedChange.AppointOfficer)
            {
                // The way out when the other officer left: the lone officer appoints a second, which brings the rule back
                // into force (nobody else could approve it). The trail says it was done alone.
                await RunChangeAsync(db, user, tenantId, change, apply: true, approved: null, cancellationToken, alone: true);
                return ChangeOutcome.Applied;
            }

            if (!officers.Any(o => !o.IsSamePerson(user.Actor)))
            {
                var refusal = new SecondOfficerMissingException(
                    $"The two-person rule is on and you are the only active security officer of {tenant.Name}, so nobody could approve this change. " +
                    "Appoint a second security officer on the People page; the change can be proposed once they are active.");
                await gate.RecordRefusalAsync(ApproverResource.Policy(user, tenantId, tenantFound: true), "ProposePolicyChange", refusal.Code, cancellationToken);
                throw refusal;
            }

            var now = time.GetUtcNow();
            var proposal = PolicyChange.Propose(
                Guid.NewGuid(), tenantId, user.Actor, change, effect, await GovernedState.FingerprintAsync(db, tenantId, cancellationToken), now);
            db.PolicyChanges.Add(proposal);
            await audit.AppendAsync(db, ProposalRecord(AuditEventType.PolicyChange_Proposed, user, proposal), cancellationToken);
            await outbound.HandOffAsync(db, new OutboundMessage(PolicyChangeProposedMessage, tenantId, proposal.Id.ToString(),
                JsonSerializer.Serialize(new { ChangeId = proposal.Id }, JsonSerializerOptions.Web)), cancellationToken);
            return ChangeOutcome.Proposed;
        }, cancellationToken);

        if (outcome != ChangeOutcome.Unchanged)
        {
            await PublishAsync(tenantId, outcome == ChangeOutcome.Applied ? KindOf(change) : ApproverChangeKind.PolicyChangeProposedOrClosed);
        }

        return outcome;
    }

    /// <summary>
    /// A second officer approves: the change applies exactly as proposed, in this transaction, with both officers in
    /// the trail. Refused for the proposer, once closed or expired, when the proposer is no longer an active officer,
    /// and when anything the officers govern changed since it was proposed.
    /// </summary>
    public async Task ApprovePolicyChangeAsync(ClaimsPrincipal principal, Guid changeId, CancellationToken cancellationToken = default)
    {
        var (tenantId, applied) = await transactions.RunAsync(async db =>
        {
            var (user, change, resource) = await AuthorizeDecisionAsync(db, principal, changeId, ApproverOperations.DecidePolicyChange, cancellationToken);
            var operation = ApproverOperations.DecidePolicyChange.Name;
            await RecordingRuleRefusalAsync(resource, operation, async () =>
            {
                change.Approve(user.Actor, time.GetUtcNow());
                var officers = await GovernedState.ActiveOfficersAsync(db, change.TenantId, cancellationToken);
                if (!officers.Any(o => o.IsSamePerson(change.ProposedBy)))
                {
                    throw new SecondOfficerMissingException(
                        $"{change.ProposedByName}, who proposed this change, is no longer an active security officer here, so it no longer has two officers behind it. " +
                        "Reject it; propose it again yourself if it is still wanted.");
                }

                if (await GovernedState.FingerprintAsync(db, change.TenantId, cancellationToken) != change.BaseFingerprint)
                {
                    throw new StalePolicyChangeException("");
                }
            }, cancellationToken);

            await audit.AppendAsync(db, ProposalRecord(AuditEventType.PolicyChange_Approved, user, change), cancellationToken);
            try
            {
                await RunChangeAsync(db, user, change.TenantId, change.Change, apply: true, approved: change, cancellationToken);
            }
            catch (InvalidInputException ex)
            {
                // Unreachable while the fingerprint holds; said as a stale proposal rather than as a field of a form nobody sees.
                var refusal = new StalePolicyChangeException(": " + string.Join(" ", ex.Errors.Values.SelectMany(v => v)));
                await gate.RecordRefusalAsync(resource, operation, refusal.Code, cancellationToken);
                throw refusal;
            }

            return (change.TenantId, change.Change);
        }, cancellationToken);

        await PublishAsync(tenantId, KindOf(applied));
        if (OfficerOf(applied) is { } officer)
        {
            await PublishPersonAsync(officer, ChangeOutcome.Applied);
        }
    }

    /// <summary>A second officer turns a proposal down; nothing of it applies.</summary>
    public Task RejectPolicyChangeAsync(ClaimsPrincipal principal, Guid changeId, CancellationToken cancellationToken = default) =>
        CloseAsync(principal, changeId, ApproverOperations.DecidePolicyChange, AuditEventType.PolicyChange_Rejected, (c, who, now) => c.Reject(who, now), cancellationToken);

    /// <summary>The proposer takes their proposal back.</summary>
    public Task WithdrawPolicyChangeAsync(ClaimsPrincipal principal, Guid changeId, CancellationToken cancellationToken = default) =>
        CloseAsync(principal, changeId, ApproverOperations.WithdrawPolicyChange, AuditEventType.PolicyChange_Withdrawn, (c, who, now) => c.Withdraw(who, now), cancellationToken);

    private async Task CloseAsync(
        ClaimsPrincipal principal, Guid changeId, OperationAuthorizationRequirement operation, AuditEventType eventType,
        Action<PolicyChange, Actor, DateTimeOffset> close, CancellationToken cancellationToken)
    {
        var tenantId = await transactions.RunAsync(async db =>
        {
            var (user, change, resource) = await AuthorizeDecisionAsync(db, principal, changeId, operation, cancellationToken);
            await RecordingRuleRefusalAsync(resource, operation.Name, () =>
            {
                close(change, user.Actor, time.GetUtcNow());
                return Task.CompletedTask;
            }, cancellationToken);
            await audit.AppendAsync(db, ProposalRecord(eventType, user, change), cancellationToken);
            return change.TenantId;
        }, cancellationToken);

        await PublishAsync(tenantId, ApproverChangeKind.PolicyChangeProposedOrClosed);
    }

    private async Task<(ActingUser User, PolicyChange Change, ApproverResource Resource)> AuthorizeDecisionAsync(
        LockboxDbContext db, ClaimsPrincipal principal, Guid changeId, OperationAuthorizationRequirement operation, CancellationToken cancellationToken)
    {
        var user = await gate.ActingUserAsync(db, principal, cancellationToken);
        var change = await db.PolicyChanges.SingleOrDefaultAsync(c => c.Id == changeId, cancellationToken);
        var resource = ApproverResource.OfPolicyChange(user, changeId, change);
        await gate.EnsureAsync(principal, resource, operation, cancellationToken);

        // Deciding is changing the policy: where the tenant requires two-factor, so does this.
        var required = (await PolicyOfAsync(db, change!.TenantId, cancellationToken)).RequireTwoFactor;
        await gate.EnsureSecondFactorAsync(resource, operation.Name, required, cancellationToken);
        return (user, change, resource);
    }

    /// <summary>Runs the rule checks of a decision; a rule's refusal is recorded in the trail, then thrown.</summary>
    private async Task RecordingRuleRefusalAsync(ApproverResource resource, string operation, Func<Task> rules, CancellationToken cancellationToken)
    {
        try
        {
            await rules();
        }
        catch (LockboxRuleException ex) when (ex is OwnPolicyChangeException or NotTheProposerException or PolicyChangeClosedException
            or StalePolicyChangeException or SecondOfficerMissingException)
        {
            await gate.RecordRefusalAsync(resource, operation, ex.Code, cancellationToken);
            throw;
        }
    }

    /// <summary>Turning the rule on needs a second active officer to approve anything afterwards.</summary>
    private static async Task EnsureTwoOfficersAsync(LockboxDbContext db, Tenant tenant, CancellationToken cancellationToken)
    {
        var officers = await GovernedState.ActiveOfficersAsync(db, tenant.Id, cancellationToken);
        if (officers.Count < 2)
        {
            throw InvalidInputException.For(nameof(TenantPolicy.RequireSecondOfficer),
                $"The two-person rule needs two active security officers, and {tenant.Name} has {(officers.Count == 1 ? "only " + officers[0].DisplayName : "none")}: " +
                "nobody could approve a change. Appoint a second security officer on the People page, then turn the rule on.");
        }
    }

    private static AuditRecord ProposalRecord(AuditEventType eventType, ActingUser user, PolicyChange change) => new(
        eventType, user.Actor, change.TenantId, ApproverResource.PolicyChangeSubject, change.Id.ToString(),
        AuditRecord.Details(new
        {
            change.Title,
            ProposedBy = change.ProposedBy,
            DecidedBy = change.DecidedBy,
            change.ExpiresAt,
            Changes = change.Lines,
            Proposed = JsonSerializer.Deserialize<JsonElement>(change.ChangeJson),
        }),
        Client: user.Client);
}
