using System.Security.Claims;
using LockboxPortal.Authorization;
using LockboxPortal.Data;
using LockboxPortal.Features.Audit;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Features.AccessRequests;

/// <summary>What an engineer declares an emergency with: the tenant, scope and level, the incident and why.</summary>
public sealed record DeclareEmergencyInput(Guid TenantId, string? Scope, AccessLevel AccessLevel, string? IncidentReference, string? Justification);

/// <summary>
/// Emergency access the customer ratifies (docs/decisions/0016-emergency-access-ratified-after.md): declaring one opens
/// its grant at once; the tenant's approvers ratify or reject it through <see cref="DecideCustomerAsync"/> like any
/// customer decision; the deadline timer marks it unratified at the window's end (<c>GrantService</c>); an officer
/// reviews an unratified one here.
/// </summary>
public sealed partial class AccessRequestService
{
    /// <summary>
    /// An engineer declares an emergency in a tenant that allows it. Refused when the tenant has it off
    /// (<see cref="EmergencyAccessOffException"/>), while the engineer's unratified emergency there awaits an officer's
    /// review (<see cref="UnreviewedEmergencyException"/>), for a scope outside the tenant's catalogue where it requires
    /// one, or on a scope the engineer already holds a grant on (both on <c>Scope</c>). Each refusal is recorded.
    /// </summary>
    public async Task<AccessRequest> DeclareEmergencyAsync(ClaimsPrincipal principal, DeclareEmergencyInput input, CancellationToken cancellationToken = default)
    {
        ActingUser? declarer = null;
        try
        {
            var (request, change) = await transactions.RunAsync(async db =>
            {
                var named = await db.Tenants.AsNoTracking().SingleOrDefaultAsync(t => t.Id == input.TenantId, cancellationToken);
                var user = declarer = await gate.AuthorizeAsync(db, principal, RequestCollectionOperations.DeclareEmergency, cancellationToken, named?.Id);
                if (named is not { IsActive: true } tenant)
                {
                    throw InvalidInputException.For(nameof(AccessRequest.TenantId), "Choose an active tenant.");
                }

                if (!tenant.Policy.AllowEmergencyAccess)
                {
                    throw new EmergencyAccessOffException(tenant.Name);
                }

                var unreviewed = await db.AccessRequests.AsNoTracking()
                    .Where(r => r.TenantId == tenant.Id && r.RequesterId == user.UserId && r.Ratification == Ratification.Unratified && r.ReviewedAt == null)
                    .OrderBy(r => r.CreatedAt)
                    .Select(r => r.Reference)
                    .FirstOrDefaultAsync(cancellationToken);
                if (unreviewed is not null)
                {
                    throw new UnreviewedEmergencyException(unreviewed);
                }

                var now = time.GetUtcNow();
                var errors = AccessRequest.ValidateEmergency(input.Justification, input.IncidentReference, input.AccessLevel);
                TimeSpan? catalogueLimit = null;
                if (!ResourceScope.TryParse(input.Scope, out var scope, out var scopeError))
                {
                    errors[nameof(AccessRequest.Scope)] = [scopeError];
                }
                else
                {
                    // The scope and level must be in a required catalogue; an entry shorter than the emergency length shortens the grant.
                    catalogueLimit = await AddScopeProblemsAsync(db, tenant, user.UserId, scope, input.AccessLevel, TimeSpan.Zero, now, errors,
                        held => $"You already hold a grant on {held.Scope} ({held.Reference}) in this tenant; an emergency opens no second grant on it.",
                        cancellationToken);
                }

                if (errors.Count > 0)
                {
                    throw new InvalidInputException(errors);
                }

                var reference = await NextReferenceAsync(db, database, now, cancellationToken);
                var declared = AccessRequest.DeclareEmergency(
                    Guid.NewGuid(), reference, tenant.Id, user.Actor, scope!, input.AccessLevel, input.Justification, input.IncidentReference, tenant.Policy, now,
                    catalogueLimit);
                db.AccessRequests.Add(declared);
                await audit.AppendAsync(db, Record(AuditEventType.Emergency_Declared, user, declared, new
                {
                    declared.Reference,
                    declared.IncidentReference,
                    declared.Scope,
                    AccessLevel = declared.AccessLevel.ToString(),
                    declared.Justification,
                    RatifyBy = declared.ExpiresAt,
                    declared.RequiredApprovals,
                }), cancellationToken);
                await audit.AppendAsync(db, Record(AuditEventType.Grant_Opened, user, declared, GrantOpenedDetails(declared)), cancellationToken);
                return (declared, await notifier.RaiseAsync(db, declared, RequestEventKind.EmergencyDeclared, user.Actor, cancellationToken));
            }, cancellationToken);

            await notifier.PublishAsync(change);
            return request;
        }
        catch (LockboxRuleException ex) when (ex is EmergencyAccessOffException or UnreviewedEmergencyException && declarer is not null)
        {
            // Written after the refused declaration rolled back, so the refusal is kept and nothing else is.
            await gate.RecordRefusalAsync(declarer!, input.TenantId, nameof(RequestCollectionOperations.DeclareEmergency), ex.Code, cancellationToken);
            throw;
        }
    }

    /// <summary>
    /// A security officer of the tenant reviews an unratified emergency, with a note; from then on its engineer may
    /// declare again in that tenant.
    /// </summary>
    public async Task<AccessRequest> ReviewEmergencyAsync(ClaimsPrincipal principal, Guid requestId, string? note, CancellationToken cancellationToken = default)
    {
        var (request, change) = await transactions.RunAsync(async db =>
        {
            var loaded = await gate.LoadForAsync(db, principal, requestId, RequestOperations.ReviewEmergency, cancellationToken);
            var (user, tracked, _) = loaded;
            await gate.ApplyAsync(loaded, nameof(RequestOperations.ReviewEmergency), () => tracked.ReviewUnratified(user.Actor, note, time.GetUtcNow()), cancellationToken);
            await audit.AppendAsync(db, Record(AuditEventType.Emergency_Reviewed, user, tracked, new
            {
                tracked.Reference,
                tracked.IncidentReference,
                Comment = tracked.ReviewNote,
            }), cancellationToken);
            return (tracked, await notifier.RaiseAsync(db, tracked, RequestEventKind.EmergencyReviewed, user.Actor, cancellationToken));
        }, cancellationToken);

        await notifier.PublishAsync(change);
        return request;
    }

    /// <summary>
    /// The customer-stage decision on an emergency, after the fact: each approval counts toward the quorum fixed at
    /// declaration and is recorded as a customer approval; at the quorum the emergency is ratified. One rejection (veto)
    /// marks it rejected and revokes its grant if it still runs. Returns the event of the decision and, when the
    /// grant was revoked with it, nothing more: the rejection's event says so.
    /// </summary>
    private async Task<(AccessRequest, RequestEvent)> DecideEmergencyAsync(
        LockboxDbContext db, GatedRequest loaded, Actor? onBehalfOf, bool approve, string? comment, TimeSpan? allowedDuration, CancellationToken cancellationToken)
    {
        var (user, tracked, _) = loaded;
        if (allowedDuration is not null)
        {
            throw InvalidInputException.For(nameof(RequestDecision.AllowedDuration), "An emergency's grant opened when it was declared; ratify or reject it, without a duration.");
        }

        var revoked = false;
        await gate.ApplyAsync(loaded, approve ? "RatifyEmergency" : "RejectEmergency", () =>
        {
            if (approve)
            {
                tracked.RatifyEmergency(user.Actor, onBehalfOf, comment, time.GetUtcNow());
            }
            else
            {
                revoked = tracked.RejectEmergency(user.Actor, onBehalfOf, comment, time.GetUtcNow());
            }
        }, cancellationToken);

        var decision = tracked.Decisions[^1];
        await audit.AppendAsync(db, Record(
            approve ? AuditEventType.AccessRequest_CustomerApproved : AuditEventType.AccessRequest_CustomerRejected,
            user, tracked, new
            {
                tracked.Reference,
                decision.Comment,
                Emergency = true,
                ApprovalsSoFar = tracked.CustomerApprovals.Count,
                tracked.RequiredApprovals,
                loaded.FreshFactor,
                Signature = loaded.KeepSignature(db),
            }, onBehalfOf), cancellationToken);

        var kind = RequestEventKind.CustomerApproved;
        if (tracked.Ratification == Ratification.Ratified)
        {
            kind = RequestEventKind.EmergencyRatified;
            await audit.AppendAsync(db, Record(AuditEventType.Emergency_Ratified, user, tracked, new
            {
                tracked.Reference,
                tracked.IncidentReference,
                Approvals = tracked.CustomerApprovals.Count,
                tracked.RequiredApprovals,
            }, onBehalfOf), cancellationToken);
        }
        else if (tracked.Ratification == Ratification.Rejected)
        {
            kind = RequestEventKind.EmergencyRejected;
            await audit.AppendAsync(db, Record(AuditEventType.Emergency_Rejected, user, tracked, new
            {
                tracked.Reference,
                tracked.IncidentReference,
                decision.Comment,
                GrantRevoked = revoked,
            }, onBehalfOf), cancellationToken);
            if (revoked)
            {
                await audit.AppendAsync(db, Record(AuditEventType.Grant_Revoked, user, tracked, new
                {
                    tracked.Reference,
                    Reason = decision.Comment,
                    tracked.GrantEndsAt,
                    loaded.FreshFactor,
                }, onBehalfOf), cancellationToken);
            }
        }

        return (tracked, await notifier.RaiseAsync(db, tracked, kind, user.Actor, cancellationToken));
    }

    private static object GrantOpenedDetails(AccessRequest opened) => new
    {
        opened.Reference,
        opened.Scope,
        AccessLevel = opened.AccessLevel.ToString(),
        opened.GrantStartsAt,
        opened.GrantEndsAt,
        GrantedDuration = opened.GrantedDuration.ToString(),
    };
}
