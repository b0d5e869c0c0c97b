using System.Linq.Expressions;
using System.Security.Claims;
using LockboxPortal.Authorization;
using LockboxPortal.Data;
using LockboxPortal.Features.Audit;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Features.Approvers;

/// <summary>
/// Creating, revoking and ending delegations (DESIGN.md rule 4). Each is one transaction: authorize through the
/// gate (<see cref="ApproverAuthorizationHandler"/>), apply the rules on <see cref="Delegation"/>, append the audit
/// entry with the values before and after, save, then publish an <see cref="ApproverChange"/>.
/// </summary>
public sealed class DelegationService(
    LockboxTransactions transactions,
    OperationGate gate,
    AuditWriter audit,
    ApproverNotifier notifier,
    Grants.DeadlineSignal deadlines,
    IDatabaseProvider database,
    IOutboundMessages outbound,
    TimeProvider time)
{
    public async Task<Delegation> CreateDelegationAsync(ClaimsPrincipal principal, DelegationInput input, CancellationToken cancellationToken = default)
    {
        var created = await transactions.RunAsync(async db =>
        {
            var user = await gate.ActingUserAsync(db, principal, cancellationToken);
            var tenantActive = await db.Tenants.AnyAsync(t => t.Id == input.TenantId && t.IsActive, cancellationToken);
            var delegatorId = input.DelegatorId ?? user.UserId;
            var resource = ApproverResource.NewDelegation(user, input.TenantId, tenantActive, delegatorId);
            await gate.EnsureAsync(principal, resource, ApproverOperations.CreateDelegation, cancellationToken);
            await EnsureSecondFactorAsync(db, resource, ApproverOperations.CreateDelegation, input.TenantId, cancellationToken);

            var now = time.GetUtcNow();
            var parties = new DelegationParties(
                await ActorOfAsync(db, delegatorId, cancellationToken),
                await ApprovalAuthorities.IsDirectApproverAsync(db, delegatorId, input.TenantId, cancellationToken)
                    || await ApprovalAuthorities.IsDirectEscalationApproverAsync(db, delegatorId, input.TenantId, cancellationToken),
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
                await gate.RecordRefusalAsync(resource, ApproverOperations.CreateDelegation.Name, ex.Code, cancellationToken);
                throw;
            }

            db.Delegations.Add(delegation);
            await audit.AppendAsync(db, DelegationRecord(AuditEventType.Delegation_Created, user, delegation, new
            {
                CreatedBy = user.Actor,
                Before = (DelegationSnapshot?)null,
                After = DelegationSnapshot.Of(delegation, now),
            }, onBehalfOf: user.Actor.IsSamePerson(delegation.Delegator) ? null : delegation.Delegator), cancellationToken);
            await DelegationEvent.HandOffAsync(outbound, db, delegation, DelegationEventKind.Created, now, cancellationToken);
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
            var user = await gate.ActingUserAsync(db, principal, cancellationToken);
            var delegation = await db.Delegations.SingleOrDefaultAsync(d => d.Id == delegationId, cancellationToken);
            var resource = ApproverResource.OfDelegation(user, delegationId, delegation);
            await gate.EnsureAsync(principal, resource, ApproverOperations.RevokeDelegation, cancellationToken);
            await EnsureSecondFactorAsync(db, resource, ApproverOperations.RevokeDelegation, delegation!.TenantId, cancellationToken);

            var now = time.GetUtcNow();
            var before = DelegationSnapshot.Of(delegation!, now);
            delegation!.Revoke(user.Actor, now);
            await audit.AppendAsync(db, DelegationRecord(AuditEventType.Delegation_Revoked, user, delegation, new
            {
                Before = before,
                After = DelegationSnapshot.Of(delegation, now),
            }), cancellationToken);
            await DelegationEvent.HandOffAsync(outbound, db, delegation, DelegationEventKind.Revoked, now, cancellationToken);
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
            IQueryable<Delegation> Due() => db.Delegations
                .Where(d => d.RevokedAt == null && d.EndRecordedAt == null && d.EndsAt <= now)
                .OrderBy(d => d.EndsAt);

            // Each node's timer claims the rows it records (FOR UPDATE SKIP LOCKED on PostgreSQL) and re-reads them
            // under the claim, so an end another node recorded meanwhile is not recorded twice.
            var claimed = await database.ClaimAsync<Delegation>(db, await Due().Select(d => d.Id).ToListAsync(cancellationToken), cancellationToken);
            var due = await Due().Where(d => claimed.Contains(d.Id)).ToListAsync(cancellationToken);
            foreach (var delegation in due)
            {
                var before = DelegationSnapshot.Of(delegation, delegation.EndsAt.AddTicks(-1));
                delegation.RecordEnd(now);
                await audit.AppendAsync(db, new AuditRecord(
                    AuditEventType.Delegation_Ended, Actor.System, delegation.TenantId, ApproverResource.DelegationSubject, delegation.Id.ToString(),
                    AuditRecord.Details(new { Before = before, After = DelegationSnapshot.Of(delegation, now) })), cancellationToken);
                await DelegationEvent.HandOffAsync(outbound, db, delegation, DelegationEventKind.Ended, now, cancellationToken);
            }

            return due.Select(d => d.TenantId).ToList();
        }, cancellationToken);

        foreach (var tenantId in tenants.Distinct())
        {
            await PublishAsync(tenantId, ApproverChangeKind.DelegationEnded);
        }

        return tenants.Count;
    }

    /// <summary>
    /// Revokes, with an audit entry each, the active and upcoming delegations that match: when the delegator leaves
    /// the approver list, or a person is deactivated. The caller has authorized the operation that causes it.
    /// </summary>
    internal static async Task RevokeOpenDelegationsAsync(
        LockboxDbContext db, AuditWriter audit, IOutboundMessages outbound, ActingUser user, Expression<Func<Delegation, bool>> which,
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
            await DelegationEvent.HandOffAsync(outbound, db, delegation, DelegationEventKind.Revoked, now, cancellationToken);
        }
    }

    /// <summary>Lending or ending approval authority is as sensitive as deciding: a tenant that requires two-factor requires it here too.</summary>
    private async Task EnsureSecondFactorAsync(
        LockboxDbContext db, ApproverResource resource, OperationAuthorizationRequirement operation, Guid tenantId, CancellationToken cancellationToken)
    {
        var required = await db.Tenants.Where(t => t.Id == tenantId).Select(t => t.Policy.RequireTwoFactor).SingleAsync(cancellationToken);
        await gate.EnsureSecondFactorAsync(resource, operation.Name, required, cancellationToken);
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

    private static AuditRecord DelegationRecord(AuditEventType type, ActingUser user, Delegation delegation, object details, Actor? onBehalfOf = null) =>
        new(type, user.Actor, delegation.TenantId, ApproverResource.DelegationSubject, delegation.Id.ToString(), AuditRecord.Details(details), onBehalfOf, user.Client);

    private Task PublishAsync(Guid tenantId, ApproverChangeKind kind) =>
        notifier.PublishAsync(new ApproverChange(tenantId, kind, time.GetUtcNow()));
}
