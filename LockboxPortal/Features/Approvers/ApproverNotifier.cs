namespace LockboxPortal.Features.Approvers;

public enum ApproverChangeKind
{
    ApproverAdded,
    ApproverRemoved,
    PolicyChanged,
    DelegationCreated,
    DelegationRevoked,
    DelegationEnded,

    /// <summary>A change was proposed, rejected or withdrawn under the two-person rule; nothing took effect.</summary>
    PolicyChangeProposedOrClosed,
}

/// <summary>Who may decide in a tenant changed; open queues and delegation pages should read again.</summary>
public sealed record ApproverChange(Guid TenantId, ApproverChangeKind Kind, DateTimeOffset At);

/// <summary>
/// Changes of customer-stage authority, so that a person removed from the list or whose delegation ended sees
/// their queue empty at once. Services publish after their transaction commits.
/// </summary>
public sealed class ApproverNotifier(IEventTransport transport) : Notifier<ApproverChange>(transport);
