namespace LockboxPortal.Features.AccessRequests;

/// <summary>The request is not in a state where this action is possible, e.g. it was already decided.</summary>
public sealed class InvalidTransitionException(RequestStatus status, RequestAction action)
    : LockboxRuleException(status.IsPending() || status == RequestStatus.Approved
        ? $"This request cannot be {Describe(action)} while it is {status}."
        : $"This request was already {status.ToString().ToLowerInvariant()}; it cannot be {Describe(action)}.")
{
    public RequestStatus Status { get; } = status;

    public RequestAction Action { get; } = action;

    /// <summary>
    /// "already-decided" when the request is closed or the stage this action decides is already behind it, so the
    /// loser of two concurrent decisions gets that answer even when the winner opened a grant (DESIGN.md rule 6).
    /// </summary>
    public override string Code => Status.IsFinal() || StageAlreadyDecided ? "already-decided" : "invalid-transition";

    private bool StageAlreadyDecided => Action switch
    {
        RequestAction.ApproveInternal or RequestAction.DenyInternal => Status != RequestStatus.PendingInternal,
        RequestAction.ApproveCustomer or RequestAction.RejectCustomer => Status == RequestStatus.Approved,
        _ => false,
    };

    private static string Describe(RequestAction action) => action switch
    {
        RequestAction.ApproveInternal or RequestAction.ApproveCustomer => "approved",
        RequestAction.DenyInternal => "denied",
        RequestAction.RejectCustomer => "rejected",
        RequestAction.Cancel => "cancelled",
        RequestAction.Expire => "expired",
        RequestAction.Revoke => "revoked",
        RequestAction.Release => "released",
        RequestAction.Complete => "completed",
        RequestAction.Escalate => "escalated",
        RequestAction.Extend => "extended",
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };
}

/// <summary>Separation of duties: nobody decides their own request, at any stage.</summary>
public sealed class SelfApprovalException()
    : LockboxRuleException("You cannot decide your own request.")
{
    public override string Code => "self-approval";
}

/// <summary>The deadline passed; a late decision is refused, never applied.</summary>
public sealed class DeadlinePassedException(DateTimeOffset deadline)
    : LockboxRuleException($"The deadline ({deadline:u}) has passed; this request can no longer be decided.")
{
    public DateTimeOffset Deadline { get; } = deadline;

    public override string Code => "deadline-passed";
}

/// <summary>A timed transition was asked for before its time.</summary>
public sealed class DeadlineNotReachedException(DateTimeOffset deadline)
    : LockboxRuleException($"The deadline ({deadline:u}) has not been reached yet.")
{
    public override string Code => "deadline-not-reached";
}

/// <summary>One person counts once toward a quorum, whether acting for themselves or as a delegate.</summary>
public sealed class AlreadyCountedException(string who)
    : LockboxRuleException($"{who} has already approved this request; one person counts once.")
{
    public override string Code => "already-counted";
}

/// <summary>Only the engineer who filed the request may do this.</summary>
public sealed class NotRequesterException()
    : LockboxRuleException("Only the engineer who filed this request may do that.")
{
    public override string Code => "not-requester";
}

/// <summary>More time is asked for only while the grant is running: approved, opened, and not yet ended.</summary>
public sealed class GrantNotRunningException()
    : LockboxRuleException("This request has no active grant; more time can be asked for only while its grant is running.")
{
    public override string Code => "grant-not-active";
}

/// <summary>One extension at a time: another one for this grant still awaits its decisions.</summary>
public sealed class ExtensionPendingException(string reference)
    : LockboxRuleException($"An extension of this grant ({reference}) is already waiting for a decision; wait for it, or cancel it first.")
{
    public override string Code => "extension-pending";
}

/// <summary>
/// One engineer holds one grant per scope and tenant: this approval would open a second one, overlapping a grant they
/// already hold (running or scheduled). The request stays pending; reject it, or the engineer cancels it.
/// </summary>
public sealed class GrantAlreadyHeldException(string engineer, string scope, string reference)
    : LockboxRuleException($"{engineer} already holds a grant on {scope} ({reference}) in this tenant; approving this request would open a second one. Reject it instead; more time on that grant is an extension.")
{
    public override string Code => "grant-held";
}

/// <summary>The tenant has not turned emergency access on (docs/decisions/0016-emergency-access-ratified-after.md).</summary>
public sealed class EmergencyAccessOffException(string tenant)
    : LockboxRuleException($"{tenant} does not allow emergency access; file an ordinary request, or ask its security officers to turn emergency access on.")
{
    public override string Code => "emergency-access-off";
}

/// <summary>
/// The engineer's last emergency in this tenant was not ratified in time and no officer has reviewed it yet: until one
/// does, the engineer may not declare another there.
/// </summary>
public sealed class UnreviewedEmergencyException(string reference)
    : LockboxRuleException($"Your emergency {reference} in this tenant was not ratified in time and awaits a security officer's review; until it is reviewed you cannot declare another emergency here.")
{
    public override string Code => "emergency-unreviewed";
}

/// <summary>The ratification of this emergency is already settled (ratified, rejected or unratified); the loser of a race is told so.</summary>
public sealed class RatificationClosedException(Ratification ratification)
    : LockboxRuleException($"This emergency was already {RequestWords.Ratification(ratification).ToLowerInvariant()}; it cannot be decided again.")
{
    public override string Code => "already-decided";
}

/// <summary>Only an unratified emergency that nobody reviewed yet is reviewed.</summary>
public sealed class NotUnratifiedException()
    : LockboxRuleException("Only an emergency that was not ratified in time, and is not reviewed yet, can be reviewed.")
{
    public override string Code => "not-unratified";
}

/// <summary>An emergency grant lasts at most its tenant's emergency length; more time needs an ordinary request.</summary>
public sealed class EmergencyNotExtendableException()
    : LockboxRuleException("An emergency grant cannot be extended; when it ends, file an ordinary request for the customer to approve.")
{
    public override string Code => "emergency-not-extendable";
}
