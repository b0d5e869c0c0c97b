using System.Text.Json;
using System.Text.Json.Serialization;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Tenants;

namespace LockboxPortal.Features.Approvers;

/// <summary>
/// One change to what a tenant's officers govern: its policy (replaced whole, so a field added to
/// <see cref="TenantPolicy"/> later is covered without more code), its approver and escalation lists, its scope
/// catalogue, and who its security officers are. <see cref="ApproverListService"/> applies it at once, or under the two-person rule stores it in a
/// <see cref="PolicyChange"/> and applies exactly this when a second officer approves.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(ReplacePolicy), "policy")]
[JsonDerivedType(typeof(AddApprover), "add-approver")]
[JsonDerivedType(typeof(RemoveApprover), "remove-approver")]
[JsonDerivedType(typeof(AddEscalationApprover), "add-escalation-approver")]
[JsonDerivedType(typeof(RemoveEscalationApprover), "remove-escalation-approver")]
[JsonDerivedType(typeof(AddCatalogueEntry), "add-catalogue-entry")]
[JsonDerivedType(typeof(RemoveCatalogueEntry), "remove-catalogue-entry")]
[JsonDerivedType(typeof(AppointOfficer), "appoint-officer")]
[JsonDerivedType(typeof(RemoveOfficer), "remove-officer")]
public abstract record GovernedChange
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public string ToJson() => JsonSerializer.Serialize(this, Options);

    public static GovernedChange FromJson(string json) =>
        JsonSerializer.Deserialize<GovernedChange>(json, Options) ?? throw new JsonException("An empty governed change.");

    public sealed record ReplacePolicy(TenantPolicy Policy) : GovernedChange;

    public sealed record AddApprover(string UserId) : GovernedChange;

    public sealed record RemoveApprover(string UserId) : GovernedChange;

    public sealed record AddEscalationApprover(string UserId) : GovernedChange;

    public sealed record RemoveEscalationApprover(string UserId) : GovernedChange;

    public sealed record AddCatalogueEntry(string? Pattern, AccessLevel MaxAccessLevel, TimeSpan MaxDuration) : GovernedChange;

    public sealed record RemoveCatalogueEntry(Guid EntryId) : GovernedChange;

    /// <summary>Gives a member of the tenant the SecurityOfficer role: who may approve the next proposal is governed too.</summary>
    public sealed record AppointOfficer(string UserId) : GovernedChange;

    /// <summary>Takes the SecurityOfficer role away from one of the tenant's officers.</summary>
    public sealed record RemoveOfficer(string UserId) : GovernedChange;
}

/// <summary>What one change does, in words: "Required approvals: 3 → 1".</summary>
public sealed record ChangeLine(string What, string Before, string After);

/// <summary>What a change would do: its title and its lines, the same whether it is applied now or proposed.</summary>
public sealed record ChangeEffect(string Title, IReadOnlyList<ChangeLine> Lines);

public enum PolicyChangeStatus
{
    Pending,
    Approved,
    Rejected,
    Withdrawn,

    /// <summary>Never stored: a pending change past <see cref="PolicyChange.ExpiresAt"/> reads as expired.</summary>
    Expired,
}

/// <summary>What a change to a governed setting came to.</summary>
public enum ChangeOutcome
{
    /// <summary>It asked for what already holds; nothing was written.</summary>
    Unchanged,

    Applied,

    /// <summary>The two-person rule is on: it waits for a second officer.</summary>
    Proposed,
}

/// <summary>
/// A change proposed under the two-person rule, waiting for a second security officer of the tenant. It holds the
/// change as proposed (<see cref="ChangeJson"/>), the lines the approving officer reads, and a fingerprint of what the
/// officers governed when it was proposed: approval applies exactly this change, and only to that state, so a change
/// approved meanwhile makes it stale instead of being silently merged. It expires after <see cref="Lifetime"/>.
/// </summary>
public sealed class PolicyChange
{
    /// <summary>A week: long enough for a second officer's holiday-free week, short enough that nobody approves a forgotten idea.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(7);

    public const int TitleMaxLength = 300;

    private PolicyChange()
    {
        ProposedById = ProposedByName = Title = ChangeJson = LinesJson = BaseFingerprint = "";
    }

    public Guid Id { get; private set; }

    public Guid TenantId { get; private set; }

    public string ProposedById { get; private set; }

    public string ProposedByName { get; private set; }

    public DateTimeOffset ProposedAt { get; private set; }

    public DateTimeOffset ExpiresAt { get; private set; }

    public string Title { get; private set; }

    /// <summary>The <see cref="GovernedChange"/> as proposed.</summary>
    public string ChangeJson { get; private set; }

    /// <summary>The <see cref="ChangeLine"/>s, before → after, as they read when proposed.</summary>
    public string LinesJson { get; private set; }

    /// <summary>The fingerprint (<see cref="GovernedState"/>) of the policy, lists and catalogue it was proposed against.</summary>
    public string BaseFingerprint { get; private set; }

    public PolicyChangeStatus Status { get; private set; }

    public string? DecidedById { get; private set; }

    public string? DecidedByName { get; private set; }

    public DateTimeOffset? DecidedAt { get; private set; }

    public Guid Version { get; private set; }

    public Actor ProposedBy => new(ProposedById, ProposedByName);

    public Actor? DecidedBy => DecidedById is null ? null : new(DecidedById, DecidedByName ?? "");

    public GovernedChange Change => GovernedChange.FromJson(ChangeJson);

    public IReadOnlyList<ChangeLine> Lines => JsonSerializer.Deserialize<List<ChangeLine>>(LinesJson, JsonSerializerOptions.Web) ?? [];

    public static PolicyChange Propose(Guid id, Guid tenantId, Actor proposer, GovernedChange change, ChangeEffect effect, string baseFingerprint, DateTimeOffset now) => new()
    {
        Id = id,
        TenantId = tenantId,
        ProposedById = proposer.UserId,
        ProposedByName = proposer.DisplayName,
        ProposedAt = now,
        ExpiresAt = now + Lifetime,
        Title = effect.Title.Length > TitleMaxLength ? effect.Title[..TitleMaxLength] : effect.Title,
        ChangeJson = change.ToJson(),
        LinesJson = JsonSerializer.Serialize(effect.Lines, JsonSerializerOptions.Web),
        BaseFingerprint = baseFingerprint,
        Status = PolicyChangeStatus.Pending,
        Version = Guid.NewGuid(),
    };

    public PolicyChangeStatus StatusAt(DateTimeOffset now) =>
        Status == PolicyChangeStatus.Pending && now >= ExpiresAt ? PolicyChangeStatus.Expired : Status;

    public bool IsOpenAt(DateTimeOffset now) => StatusAt(now) == PolicyChangeStatus.Pending;

    /// <summary>The second officer approves: never the proposer, only while it is open.</summary>
    public void Approve(Actor officer, DateTimeOffset now)
    {
        EnsureOpen(now);
        if (officer.IsSamePerson(ProposedBy))
        {
            throw new OwnPolicyChangeException("approve");
        }

        Close(PolicyChangeStatus.Approved, officer, now);
    }

    /// <summary>The second officer turns it down; the proposer withdraws instead.</summary>
    public void Reject(Actor officer, DateTimeOffset now)
    {
        EnsureOpen(now);
        if (officer.IsSamePerson(ProposedBy))
        {
            throw new OwnPolicyChangeException("reject");
        }

        Close(PolicyChangeStatus.Rejected, officer, now);
    }

    /// <summary>Only the proposer withdraws their own proposal.</summary>
    public void Withdraw(Actor officer, DateTimeOffset now)
    {
        EnsureOpen(now);
        if (!officer.IsSamePerson(ProposedBy))
        {
            throw new NotTheProposerException(ProposedByName);
        }

        Close(PolicyChangeStatus.Withdrawn, officer, now);
    }

    private void EnsureOpen(DateTimeOffset now)
    {
        var status = StatusAt(now);
        if (status != PolicyChangeStatus.Pending)
        {
            throw new PolicyChangeClosedException(status);
        }
    }

    private void Close(PolicyChangeStatus status, Actor officer, DateTimeOffset now)
    {
        Status = status;
        DecidedById = officer.UserId;
        DecidedByName = officer.DisplayName;
        DecidedAt = now;
        Version = Guid.NewGuid();
    }
}

/// <summary>Separation of duties for policy: the officer who proposed a change cannot decide it.</summary>
public sealed class OwnPolicyChangeException(string verb)
    : LockboxRuleException($"You proposed this change, so you cannot {verb} it: a second security officer decides it. You may withdraw it.")
{
    public override string Code => "policy-change-own";
}

public sealed class NotTheProposerException(string proposer)
    : LockboxRuleException($"Only {proposer}, who proposed this change, may withdraw it; you may approve or reject it.")
{
    public override string Code => "policy-change-not-proposer";
}

public sealed class PolicyChangeClosedException(PolicyChangeStatus status) : LockboxRuleException(status switch
{
    PolicyChangeStatus.Approved => "This change was already approved.",
    PolicyChangeStatus.Rejected => "This change was already rejected.",
    PolicyChangeStatus.Withdrawn => "This change was withdrawn.",
    _ => $"This change expired unapproved after {PolicyChange.Lifetime.TotalDays:0} days; propose it again if it is still wanted.",
})
{
    public PolicyChangeStatus Status { get; } = status;

    public override string Code => "policy-change-closed";
}

/// <summary>The policy, lists or catalogue changed since the proposal, so approving it would apply it to a state nobody saw.</summary>
public sealed class StalePolicyChangeException(string detail)
    : LockboxRuleException($"The policy changed since this was proposed, so it cannot be approved as it stands{detail}. Reject it, or have it withdrawn and proposed again.")
{
    public override string Code => "policy-change-stale";
}

/// <summary>The two-person rule needs a second active officer, and the tenant has none.</summary>
public sealed class SecondOfficerMissingException(string message) : LockboxRuleException(message)
{
    public override string Code => "policy-change-no-second-officer";
}
