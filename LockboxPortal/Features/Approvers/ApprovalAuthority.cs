using LockboxPortal.Features.AccessRequests;

namespace LockboxPortal.Features.Approvers;

/// <summary>
/// What a person may do at the customer stage of one tenant, right now: decide for themselves when they are a
/// TenantAdmin on the approver list, and on behalf of each approver whose delegation to them is active.
/// </summary>
public sealed record ApprovalAuthority(bool OnApproverList, IReadOnlyList<Actor> Delegators)
{
    public static ApprovalAuthority None { get; } = new(false, []);

    public bool CanDecide => OnApproverList || Delegators.Count > 0;

    /// <summary>The authority comes only from the request's escalation (the escalation list or its delegates).</summary>
    public bool ByEscalation { get; init; }
}
