using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Tenants;

namespace LockboxPortal.Features.Approvers;

/// <summary>A tenant a person may configure or delegate in.</summary>
public sealed record TenantChoice(Guid Id, string Name);

public sealed record ApproverRow(Actor Person, DateTimeOffset AddedAt);

/// <summary>What the policy page shows: the tenant's policy, its approver list, and who could be added.</summary>
public sealed record TenantApprovers(
    Guid TenantId,
    string TenantName,
    TenantPolicy Policy,
    IReadOnlyList<ApproverRow> Approvers,
    IReadOnlyList<Actor> Candidates)
{
    /// <summary>The escalation list: who may decide a request once it is escalated.</summary>
    public IReadOnlyList<ApproverRow> EscalationApprovers { get; init; } = [];

    /// <summary>The scopes that may be requested, enforced while the policy's <c>RequireCatalogue</c> is on.</summary>
    public IReadOnlyList<ScopeCatalogueEntry> Catalogue { get; init; } = [];

    /// <summary>Who can decide right now against the quorum.</summary>
    public QuorumHealth Health { get; init; } = new(Policy.RequiredApprovals, []);

    /// <summary>The tenant's active security officers: under the two-person rule, a change needs two of them.</summary>
    public IReadOnlyList<Actor> Officers { get; init; } = [];

    /// <summary>Changes proposed under the two-person rule, open and not expired, oldest first.</summary>
    public IReadOnlyList<PendingPolicyChange> PendingChanges { get; init; } = [];
}

/// <summary>
/// A proposed change as the policy page shows it. <see cref="Stale"/>: something it was proposed against changed, so
/// it can no longer be approved. <see cref="ProposerGone"/>: its proposer is no longer an active officer.
/// </summary>
public sealed record PendingPolicyChange(PolicyChange Change, IReadOnlyList<ChangeLine> Lines, bool Stale, bool ProposerGone);

/// <summary>A new delegation as asked for. A null <see cref="StartsAt"/> means "now".</summary>
public sealed record DelegationInput(
    Guid TenantId,
    string? DelegatorId,
    string? DelegateId,
    DateTimeOffset? StartsAt,
    DateTimeOffset EndsAt,
    string? Reason);

public sealed record DelegationRow(Delegation Delegation, string TenantName, DelegationStatus Status, bool CanRevoke);

/// <summary>In one tenant: whose authority this person may delegate, and to whom.</summary>
public sealed record DelegationTenantOption(Guid TenantId, string TenantName, IReadOnlyList<Actor> Delegators, IReadOnlyList<Actor> Delegates);

/// <summary>Policy values as written to the audit trail, in units a reader understands.</summary>
public sealed record PolicySnapshot(
    int RequiredApprovals,
    string PendingLifetime,
    string MaxGrantDuration,
    string DefaultGrantDuration,
    bool RequireTicketReference,
    bool RequireTwoFactor,
    bool RequireFreshFactor,
    string FreshFactorWindow,
    bool RemindApprovers,
    string? EscalateAfter,
    string RefusedReasons,
    string StricterReasons,
    int StricterRequiredApprovals,
    bool RequireCatalogue,
    bool RequireSecondOfficer,
    bool AllowEmergencyAccess,
    string EmergencyRatificationWindow,
    string EmergencyGrantDuration)
{
    public static PolicySnapshot Of(TenantPolicy policy) => new(
        policy.RequiredApprovals,
        policy.PendingLifetime.ToString("c"),
        policy.MaxGrantDuration.ToString("c"),
        policy.DefaultGrantDuration.ToString("c"),
        policy.RequireTicketReference,
        policy.RequireTwoFactor,
        policy.RequireFreshFactor,
        policy.FreshFactorWindow.ToString("c"),
        policy.RemindApprovers,
        policy.EscalateAfter?.ToString("c"),
        policy.RefusedReasons.ToString(),
        policy.StricterReasons.ToString(),
        policy.StricterRequiredApprovals,
        policy.RequireCatalogue,
        policy.RequireSecondOfficer,
        policy.AllowEmergencyAccess,
        policy.EmergencyRatificationWindow.ToString("c"),
        policy.EmergencyGrantDuration.ToString("c"));
}

/// <summary>A delegation as written to the audit trail.</summary>
public sealed record DelegationSnapshot(
    string Status,
    string DelegatorId,
    string DelegatorName,
    string DelegateId,
    string DelegateName,
    DateTimeOffset StartsAt,
    DateTimeOffset EndsAt,
    string Reason,
    DateTimeOffset? RevokedAt)
{
    public static DelegationSnapshot Of(Delegation d, DateTimeOffset now) => new(
        d.StatusAt(now).ToString(), d.DelegatorId, d.DelegatorName, d.DelegateId, d.DelegateName, d.StartsAt, d.EndsAt, d.Reason, d.RevokedAt);
}
