using LockboxPortal.Features.AccessRequests;

namespace LockboxPortal.Features.Tenants;

/// <summary>
/// A tenant's lockbox policy (DESIGN.md rule 5). Defaults follow Microsoft's Customer Lockbox:
/// a pending request lives 12 hours; a grant lasts 4 hours unless asked otherwise, 8 hours at most.
/// </summary>
public sealed record TenantPolicy
{
    public static readonly TimeSpan MinPendingLifetime = TimeSpan.FromHours(1);
    public static readonly TimeSpan MaxPendingLifetime = TimeSpan.FromHours(72);
    public static readonly TimeSpan MinGrantDuration = TimeSpan.FromMinutes(15);
    public static readonly TimeSpan MaxGrantDurationCeiling = TimeSpan.FromHours(24);
    public static readonly TimeSpan MinFreshFactorWindow = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan MaxFreshFactorWindow = TimeSpan.FromMinutes(15);

    public TimeSpan PendingLifetime { get; init; } = TimeSpan.FromHours(12);

    public TimeSpan MaxGrantDuration { get; init; } = TimeSpan.FromHours(8);

    public TimeSpan DefaultGrantDuration { get; init; } = TimeSpan.FromHours(4);

    public int RequiredApprovals { get; init; } = 1;

    public bool RequireTicketReference { get; init; }

    public bool RequireTwoFactor { get; init; }

    /// <summary>
    /// Where two-factor is required, each customer decision and revoke also needs a factor proven no longer than
    /// <see cref="FreshFactorWindow"/> ago (DESIGN.md rule 12): a session signed in with a second factor this morning
    /// is not the approver deciding now. On unless an officer turns it off.
    /// </summary>
    public bool RequireFreshFactor { get; init; } = true;

    public TimeSpan FreshFactorWindow { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The window a decision's fresh factor must fall in, or null when this tenant asks for none.</summary>
    public TimeSpan? FreshFactorWindowRequired => RequireTwoFactor && RequireFreshFactor ? FreshFactorWindow : null;

    /// <summary>Remind the approvers of a request awaiting them at half of its pending window and one hour before it expires.</summary>
    public bool RemindApprovers { get; init; } = true;

    /// <summary>
    /// When set, a request still awaiting the customer this long after it reached the approvers is escalated: the
    /// tenant's escalation approvers (a second list its officers keep) may decide it from then on, and are emailed.
    /// Fixed on each request when it reaches the customer stage, like the quorum. Null: no escalation.
    /// </summary>
    public TimeSpan? EscalateAfter { get; init; }

    public static readonly TimeSpan MinEscalateAfter = TimeSpan.FromHours(1);

    /// <summary>Reasons this tenant does not accept: filing for one is refused with a message.</summary>
    public RequestReasons RefusedReasons { get; init; }

    /// <summary>Reasons that need <see cref="StricterRequiredApprovals"/> instead of <see cref="RequiredApprovals"/>.</summary>
    public RequestReasons StricterReasons { get; init; }

    /// <summary>The quorum for a request filed for one of <see cref="StricterReasons"/>; higher than the usual one.</summary>
    public int StricterRequiredApprovals { get; init; } = 2;

    /// <summary>The quorum a request filed for <paramref name="reason"/> needs, fixed when it reaches the customer.</summary>
    public int RequiredApprovalsFor(RequestReason? reason) =>
        reason is { } r && StricterReasons.Holds(r) ? StricterRequiredApprovals : RequiredApprovals;

    /// <summary>
    /// When on, an engineer may file only for a scope in the tenant's catalogue, at no more than its access level and
    /// duration (<see cref="Features.AccessRequests.ScopeCatalogue"/>); the catalogue must hold an entry first.
    /// </summary>
    public bool RequireCatalogue { get; init; }

    /// <summary>
    /// The two-person rule: while on, a change to this policy, the approver and escalation lists or the scope catalogue
    /// (turning this rule off included) is only proposed, and applies when a second security officer approves it
    /// (<see cref="Features.Approvers.PolicyChange"/>). Turning it on needs two active officers.
    /// </summary>
    public bool RequireSecondOfficer { get; init; }

    /// <summary>
    /// Emergency access the customer ratifies after the fact (docs/decisions/0016-emergency-access-ratified-after.md):
    /// off unless the tenant's officers turn it on.
    /// </summary>
    public bool AllowEmergencyAccess { get; init; }

    /// <summary>How long the tenant's approvers have to ratify or reject an emergency; after it, the emergency is unratified.</summary>
    public TimeSpan EmergencyRatificationWindow { get; init; } = TimeSpan.FromHours(24);

    /// <summary>How long an emergency grant lasts from its declaration; at most <see cref="MaxEmergencyGrantDuration"/>.</summary>
    public TimeSpan EmergencyGrantDuration { get; init; } = MaxEmergencyGrantDuration;

    /// <summary>
    /// The window runs from 1 hour (never shorter than the longest emergency grant, so a grant has always ended when
    /// its emergency is marked unratified) to 7 days (a long weekend and a holiday, with room for the review).
    /// </summary>
    public static readonly TimeSpan MinEmergencyRatificationWindow = TimeSpan.FromHours(1);
    public static readonly TimeSpan MaxEmergencyRatificationWindow = TimeSpan.FromDays(7);
    public static readonly TimeSpan MinEmergencyGrantDuration = TimeSpan.FromMinutes(15);

    /// <summary>The longest an emergency grant may ever last, whatever the policy says; the access decision holds it too.</summary>
    public static readonly TimeSpan MaxEmergencyGrantDuration = TimeSpan.FromMinutes(60);

    public static TenantPolicy Default { get; } = new();

    /// <summary>
    /// Returns the problems with this policy, keyed by property name; empty when valid. Escalation needs someone on
    /// the escalation list (<paramref name="escalationApproverCount"/>) and must come before a request expires.
    /// </summary>
    public IReadOnlyDictionary<string, string> Validate(int approverCount, int escalationApproverCount = 0)
    {
        var errors = new Dictionary<string, string>();
        if (PendingLifetime < MinPendingLifetime || PendingLifetime > MaxPendingLifetime)
        {
            errors[nameof(PendingLifetime)] = "A pending request must live between 1 and 72 hours.";
        }

        if (MaxGrantDuration < MinGrantDuration || MaxGrantDuration > MaxGrantDurationCeiling)
        {
            errors[nameof(MaxGrantDuration)] = "The maximum grant must be between 15 minutes and 24 hours.";
        }

        if (DefaultGrantDuration < MinGrantDuration || DefaultGrantDuration > MaxGrantDuration)
        {
            errors[nameof(DefaultGrantDuration)] = "The default grant must be between 15 minutes and the maximum grant.";
        }

        if (RequiredApprovals < 1 || RequiredApprovals > Math.Max(1, approverCount))
        {
            errors[nameof(RequiredApprovals)] = $"Required approvals must be between 1 and the number of approvers ({Math.Max(1, approverCount)}).";
        }

        if (FreshFactorWindow < MinFreshFactorWindow || FreshFactorWindow > MaxFreshFactorWindow)
        {
            errors[nameof(FreshFactorWindow)] = "The window for a fresh factor must be between 1 and 15 minutes.";
        }

        if (EscalateAfter is { } escalateAfter)
        {
            if (escalateAfter < MinEscalateAfter || escalateAfter >= PendingLifetime)
            {
                errors[nameof(EscalateAfter)] = PendingLifetime > MinEscalateAfter
                    ? $"Escalation must come within the pending window: from 1 to {PendingLifetime.TotalHours - 1:0} hours, since a request lives {PendingLifetime.TotalHours:0} hours."
                    : "Escalation must come within the pending window; a request that lives 1 hour leaves no room for it. Lengthen the pending window or turn escalation off.";
            }
            else if (escalationApproverCount < 1)
            {
                errors[nameof(EscalateAfter)] = "Add someone to the escalation list before turning escalation on.";
            }
        }

        if (EmergencyRatificationWindow < MinEmergencyRatificationWindow || EmergencyRatificationWindow > MaxEmergencyRatificationWindow)
        {
            errors[nameof(EmergencyRatificationWindow)] = "The window to ratify an emergency must be between 1 hour and 7 days (168 hours).";
        }

        if (EmergencyGrantDuration < MinEmergencyGrantDuration || EmergencyGrantDuration > MaxEmergencyGrantDuration)
        {
            errors[nameof(EmergencyGrantDuration)] = "An emergency grant must last between 15 and 60 minutes.";
        }

        if ((RefusedReasons & RequestReasons.All) == RequestReasons.All)
        {
            errors[nameof(RefusedReasons)] = "Accept at least one reason, or nobody can file a request.";
        }

        if ((StricterReasons & RequestReasons.All) != RequestReasons.None
            && (StricterRequiredApprovals <= RequiredApprovals || StricterRequiredApprovals > Math.Max(1, approverCount)))
        {
            errors[nameof(StricterRequiredApprovals)] = RequiredApprovals < approverCount
                ? $"The higher quorum must be more than the usual {RequiredApprovals} and at most the number of approvers ({approverCount})."
                : $"A higher quorum needs more approvers than the usual {RequiredApprovals}; add an approver or lower the usual quorum first.";
        }

        return errors;
    }
}
