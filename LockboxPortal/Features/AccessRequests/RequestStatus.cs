namespace LockboxPortal.Features.AccessRequests;

public enum RequestStatus
{
    PendingInternal,
    PendingCustomer,
    Approved,
    Denied,
    Rejected,
    Cancelled,
    Expired,
    Completed,
    Revoked,

    /// <summary>An extension whose quorum was reached: the grant it extends ends later. Final; it never opens a grant itself.</summary>
    Extended,
}

public enum AccessLevel
{
    Read,
    ReadWrite,
}

public enum DecisionStage
{
    Internal,
    Customer,
}

public enum DecisionOutcome
{
    Approved,
    Rejected,
}

/// <summary>Everything that can be done to a request; the state machine answers for each one.</summary>
public enum RequestAction
{
    ApproveInternal,
    DenyInternal,
    ApproveCustomer,
    RejectCustomer,
    Cancel,
    Expire,
    Revoke,
    Release,
    Complete,
    Escalate,
    Extend,
}

public static class RequestStatusExtensions
{
    public static bool IsPending(this RequestStatus status) =>
        status is RequestStatus.PendingInternal or RequestStatus.PendingCustomer;

    public static bool IsFinal(this RequestStatus status) =>
        !status.IsPending() && status != RequestStatus.Approved;

    /// <summary>Read-write covers read; read never covers read-write.</summary>
    public static bool Covers(this AccessLevel granted, AccessLevel wanted) =>
        granted == AccessLevel.ReadWrite || wanted == AccessLevel.Read;
}
