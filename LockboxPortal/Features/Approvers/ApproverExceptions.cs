using LockboxPortal.Features.AccessRequests;

namespace LockboxPortal.Features.Approvers;

/// <summary>The rules of DESIGN.md rule 4 that a new delegation can break.</summary>
public enum DelegationRule
{
    ToSelf,
    DelegatorNotApprover,
    DelegateCannotDelegate,
    DelegateNotTenantAdmin,
    OfficerToSelf,
    ReasonRequired,
    StartsInPast,
    EndsBeforeStart,
    TooLong,
    Overlaps,
}

/// <summary>A delegation was refused by a rule; <see cref="Field"/> names the form field it concerns.</summary>
public sealed class DelegationRefusedException(DelegationRule rule, string field, string message) : LockboxRuleException(message)
{
    public DelegationRule Rule { get; } = rule;

    public string Field { get; } = field;

    public override string Code => "delegation-" + Rule switch
    {
        DelegationRule.ToSelf => "to-self",
        DelegationRule.DelegatorNotApprover => "delegator-not-approver",
        DelegationRule.DelegateCannotDelegate => "delegate-cannot-delegate",
        DelegationRule.DelegateNotTenantAdmin => "delegate-not-tenant-admin",
        DelegationRule.OfficerToSelf => "officer-to-self",
        DelegationRule.ReasonRequired => "reason-required",
        DelegationRule.StartsInPast => "starts-in-past",
        DelegationRule.EndsBeforeStart => "ends-before-start",
        DelegationRule.TooLong => "too-long",
        DelegationRule.Overlaps => "overlaps",
        _ => throw new ArgumentOutOfRangeException(nameof(Rule), Rule, null),
    };
}

/// <summary>The delegation was already revoked or has ended; there is nothing left to revoke.</summary>
public sealed class DelegationClosedException(DelegationStatus status)
    : LockboxRuleException(status == DelegationStatus.Revoked ? "This delegation was already revoked." : "This delegation has already ended.")
{
    public DelegationStatus Status { get; } = status;

    public override string Code => "delegation-closed";
}
