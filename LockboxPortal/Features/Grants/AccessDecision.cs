using LockboxPortal.Features.AccessRequests;

namespace LockboxPortal.Features.Grants;

/// <summary>Why the access decision refused; <see cref="Allowed"/> when it did not.</summary>
public enum AccessDecisionReason
{
    Allowed,
    NoMatchingRequest,
    WrongTenant,
    WrongEngineer,
    ScopeNotCovered,
    AccessLevelNotCovered,
    AwaitingApproval,
    NotApproved,
    GrantRevoked,
    GrantNotStarted,
    GrantEnded,
    EngineerDeactivated,
    NotAnEngineer,
}

/// <summary>What storage says of the engineer named in a check right now: active and holding the provider's Engineer role, or not.</summary>
public enum EngineerStanding
{
    Engineer,
    Deactivated,
    NotAnEngineer,
}

/// <summary>What the provider's data plane asks: may this engineer do this in this tenant, now?</summary>
public sealed record AccessQuery(Guid TenantId, string EngineerId, ResourceScope Scope, AccessLevel AccessLevel);

public sealed record AccessVerdict(AccessDecisionReason Reason, Guid? RequestId, DateTimeOffset? GrantEndsAt)
{
    public bool IsAllowed => Reason == AccessDecisionReason.Allowed;

    /// <summary>Allowed by an emergency grant, opened before the customer ratified it (docs/decisions/0016-emergency-access-ratified-after.md).</summary>
    public bool Emergency { get; init; }

    public static AccessVerdict Refused(AccessDecisionReason reason, Guid? requestId = null) => new(reason, requestId, null);
}

/// <summary>
/// DESIGN.md rule 1 in one pure function. It fails closed: access is allowed only by an Approved request
/// for this tenant, engineer and a covering scope and level, whose stored grant window contains <c>now</c>; an
/// emergency's window (opened before the customer ratified it) is also cut at its start plus the longest emergency grant.
/// It reads the timestamps itself, so a timer that runs late can never extend access. An engineer who is deactivated
/// or no longer holds the Engineer role is refused whatever their requests say (rule 10), so offboarding ends access
/// at the next check even before their grants are closed.
/// </summary>
public static class AccessDecision
{
    public static AccessVerdict Evaluate(AccessQuery query, EngineerStanding engineer, IEnumerable<AccessRequest> candidates, DateTimeOffset now)
    {
        switch (engineer)
        {
            case EngineerStanding.Engineer:
                break;
            case EngineerStanding.Deactivated:
                return AccessVerdict.Refused(AccessDecisionReason.EngineerDeactivated);
            case EngineerStanding.NotAnEngineer:
                return AccessVerdict.Refused(AccessDecisionReason.NotAnEngineer);
            default:
                throw new ArgumentOutOfRangeException(nameof(engineer), engineer, null);
        }

        AccessVerdict? best = null;
        foreach (var request in candidates)
        {
            var verdict = EvaluateOne(query, request, now);
            if (verdict.IsAllowed)
            {
                return verdict;
            }

            if (best is null || Progress(verdict.Reason) > Progress(best.Reason))
            {
                best = verdict;
            }
        }

        return best ?? AccessVerdict.Refused(AccessDecisionReason.NoMatchingRequest);
    }

    public static AccessVerdict EvaluateOne(AccessQuery query, AccessRequest request, DateTimeOffset now)
    {
        if (request.TenantId != query.TenantId)
        {
            return AccessVerdict.Refused(AccessDecisionReason.WrongTenant);
        }

        if (!string.Equals(request.RequesterId, query.EngineerId, StringComparison.Ordinal))
        {
            return AccessVerdict.Refused(AccessDecisionReason.WrongEngineer);
        }

        if (!ResourceScope.TryParse(request.Scope, out var granted, out _) || !granted.Covers(query.Scope))
        {
            return AccessVerdict.Refused(AccessDecisionReason.ScopeNotCovered, request.Id);
        }

        if (!request.AccessLevel.Covers(query.AccessLevel))
        {
            return AccessVerdict.Refused(AccessDecisionReason.AccessLevelNotCovered, request.Id);
        }

        var statusReason = request.Status switch
        {
            RequestStatus.Approved => AccessDecisionReason.Allowed,
            RequestStatus.PendingInternal or RequestStatus.PendingCustomer => AccessDecisionReason.AwaitingApproval,
            RequestStatus.Revoked => AccessDecisionReason.GrantRevoked,
            RequestStatus.Completed => AccessDecisionReason.GrantEnded,
            _ => AccessDecisionReason.NotApproved,
        };
        if (statusReason != AccessDecisionReason.Allowed)
        {
            return AccessVerdict.Refused(statusReason, request.Id);
        }

        if (request.GrantStartsAt is not { } start || request.GrantEndsAt is not { } end)
        {
            return AccessVerdict.Refused(AccessDecisionReason.NotApproved, request.Id);
        }

        // An emergency opened without the customer's approval: whatever its stored end says, it never runs past the
        // longest emergency grant from its start, and a rejection revoked it (Status above).
        if (request.IsEmergency && start + Tenants.TenantPolicy.MaxEmergencyGrantDuration < end)
        {
            end = start + Tenants.TenantPolicy.MaxEmergencyGrantDuration;
        }

        if (now < start)
        {
            return AccessVerdict.Refused(AccessDecisionReason.GrantNotStarted, request.Id);
        }

        if (now >= end)
        {
            return AccessVerdict.Refused(AccessDecisionReason.GrantEnded, request.Id);
        }

        return new AccessVerdict(AccessDecisionReason.Allowed, request.Id, end) { Emergency = request.IsEmergency };
    }

    /// <summary>Among several refusals, report the one from the request that came closest to allowing.</summary>
    private static int Progress(AccessDecisionReason reason) => reason switch
    {
        AccessDecisionReason.NoMatchingRequest or AccessDecisionReason.WrongTenant or AccessDecisionReason.WrongEngineer => 0,
        AccessDecisionReason.ScopeNotCovered => 1,
        AccessDecisionReason.AccessLevelNotCovered => 2,
        AccessDecisionReason.NotApproved => 3,
        AccessDecisionReason.AwaitingApproval => 4,
        AccessDecisionReason.GrantEnded => 5,
        AccessDecisionReason.GrantRevoked => 6,
        AccessDecisionReason.GrantNotStarted => 7,
        _ => 0,
    };
}
