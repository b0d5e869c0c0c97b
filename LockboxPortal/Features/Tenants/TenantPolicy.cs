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

    public static TenantPolicy Default { get; } = new();

    /// <summary>Returns the problems with this policy, keyed by property name; empty when valid.</summary>
    public IReadOnlyDictionary<string, string> Validate(int approverCount)
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

        return errors;
    }
}
