using LockboxPortal.Features.AccessRequests;

namespace LockboxPortal.Features.Approvers;

public enum DelegationStatus
{
    Upcoming,
    Active,
    Ended,
    Revoked,
}

/// <summary>
/// The facts about the two people that the delegation rules need, read from storage by the service at the
/// moment of creation. Keeping them as plain values lets the rules be tested without a database.
/// </summary>
/// <param name="DelegatorIsDirectApprover">A TenantAdmin of the tenant who is on its approver list.</param>
/// <param name="DelegatorIsActiveDelegate">Holds an active delegation in the tenant (used only to explain a refusal).</param>
/// <param name="DelegateIsTenantAdmin">A TenantAdmin of this same tenant.</param>
public sealed record DelegationParties(
    Actor Delegator,
    bool DelegatorIsDirectApprover,
    bool DelegatorIsActiveDelegate,
    Actor Delegate,
    bool DelegateIsTenantAdmin);

/// <summary>
/// An approver lends their customer-stage authority to another TenantAdmin of the same tenant for a window
/// (DESIGN.md rule 4). Authority checks compare <c>now</c> with the stored window, so a delegation ends by
/// itself at <see cref="EndsAt"/> whether or not a timer ever runs.
/// </summary>
public sealed class Delegation
{
    public static readonly TimeSpan MaxWindow = TimeSpan.FromDays(30);
    public const int ReasonMinLength = 3;
    public const int ReasonMaxLength = 500;

    private Delegation()
    {
        DelegatorId = "";
        DelegatorName = "";
        DelegateId = "";
        DelegateName = "";
        Reason = "";
        CreatedById = "";
        CreatedByName = "";
    }

    public Guid Id { get; private set; }

    public Guid TenantId { get; private set; }

    public string DelegatorId { get; private set; }

    public string DelegatorName { get; private set; }

    public string DelegateId { get; private set; }

    public string DelegateName { get; private set; }

    public DateTimeOffset StartsAt { get; private set; }

    /// <summary>Exclusive: at this moment the delegation no longer counts.</summary>
    public DateTimeOffset EndsAt { get; private set; }

    public string Reason { get; private set; }

    /// <summary>The approver themselves, or a security officer acting on their behalf.</summary>
    public string CreatedById { get; private set; }

    public string CreatedByName { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset? RevokedAt { get; private set; }

    public string? RevokedById { get; private set; }

    public string? RevokedByName { get; private set; }

    /// <summary>When the end of the window was written to the audit trail; bookkeeping only, never consulted for authority.</summary>
    public DateTimeOffset? EndRecordedAt { get; private set; }

    /// <summary>Changes on every change; storage refuses a write based on a stale copy.</summary>
    public Guid Version { get; private set; }

    public Actor Delegator => new(DelegatorId, DelegatorName);

    public Actor Delegate => new(DelegateId, DelegateName);

    /// <summary>
    /// Creates a delegation, or throws <see cref="DelegationRefusedException"/> naming the first rule it breaks.
    /// A null <paramref name="startsAt"/> means "now".
    /// </summary>
    public static Delegation Create(
        Guid id,
        Guid tenantId,
        DelegationParties parties,
        DateTimeOffset? startsAt,
        DateTimeOffset endsAt,
        string? reason,
        Actor createdBy,
        DateTimeOffset now)
    {
        var start = startsAt ?? now;
        if (Check(parties, start, endsAt, reason, createdBy, now) is { } refusal)
        {
            throw refusal;
        }

        return new Delegation
        {
            Id = id,
            TenantId = tenantId,
            DelegatorId = parties.Delegator.UserId,
            DelegatorName = parties.Delegator.DisplayName,
            DelegateId = parties.Delegate.UserId,
            DelegateName = parties.Delegate.DisplayName,
            StartsAt = start,
            EndsAt = endsAt,
            Reason = reason!.Trim(),
            CreatedById = createdBy.UserId,
            CreatedByName = createdBy.DisplayName,
            CreatedAt = now,
            Version = Guid.NewGuid(),
        };
    }

    /// <summary>The first rule of DESIGN.md rule 4 that this delegation would break, or null when it may be created.</summary>
    public static DelegationRefusedException? Check(
        DelegationParties parties, DateTimeOffset startsAt, DateTimeOffset endsAt, string? reason, Actor createdBy, DateTimeOffset now)
    {
        if (parties.Delegator.IsSamePerson(parties.Delegate))
        {
            return new(DelegationRule.ToSelf, "DelegateId", "You cannot delegate to yourself.");
        }

        // Someone whose only authority is borrowed has nothing of their own to lend: a delegate cannot delegate further.
        if (!parties.DelegatorIsDirectApprover)
        {
            return parties.DelegatorIsActiveDelegate
                ? new(DelegationRule.DelegateCannotDelegate, "DelegatorId", "A delegate cannot delegate further; only people on the approver list can delegate.")
                : new(DelegationRule.DelegatorNotApprover, "DelegatorId", "Only people on the tenant's approver list can delegate.");
        }

        if (!parties.DelegateIsTenantAdmin)
        {
            return new(DelegationRule.DelegateNotTenantAdmin, "DelegateId", "The delegate must be a TenantAdmin of this tenant.");
        }

        // An officer who hands someone else's authority to themselves would approve with nobody's consent but their own.
        if (!createdBy.IsSamePerson(parties.Delegator) && createdBy.IsSamePerson(parties.Delegate))
        {
            return new(DelegationRule.OfficerToSelf, "DelegateId", "A security officer cannot delegate someone else's authority to themselves.");
        }

        var trimmed = reason?.Trim() ?? "";
        if (trimmed.Length < ReasonMinLength || trimmed.Length > ReasonMaxLength || trimmed.Any(c => char.IsControl(c) && c is not '\n' and not '\r'))
        {
            return new(DelegationRule.ReasonRequired, "Reason", $"Give a reason of {ReasonMinLength} to {ReasonMaxLength} characters.");
        }

        if (startsAt < now)
        {
            return new(DelegationRule.StartsInPast, "StartsAt", "A delegation starts now or later, never in the past.");
        }

        if (endsAt <= startsAt)
        {
            return new(DelegationRule.EndsBeforeStart, "EndsAt", "The end must be after the start.");
        }

        if (endsAt - startsAt > MaxWindow)
        {
            return new(DelegationRule.TooLong, "EndsAt", "A delegation lasts at most 30 days.");
        }

        return null;
    }

    public bool IsActiveAt(DateTimeOffset now) => RevokedAt is null && StartsAt <= now && now < EndsAt;

    public DelegationStatus StatusAt(DateTimeOffset now) =>
        RevokedAt is not null ? DelegationStatus.Revoked
        : now >= EndsAt ? DelegationStatus.Ended
        : now < StartsAt ? DelegationStatus.Upcoming
        : DelegationStatus.Active;

    public bool Involves(string userId) =>
        string.Equals(DelegatorId, userId, StringComparison.Ordinal) || string.Equals(DelegateId, userId, StringComparison.Ordinal);

    /// <summary>Ends an upcoming or active delegation at once. Whether this actor may is the service's question.</summary>
    public void Revoke(Actor actor, DateTimeOffset now)
    {
        var status = StatusAt(now);
        if (status is DelegationStatus.Revoked or DelegationStatus.Ended)
        {
            throw new DelegationClosedException(status);
        }

        RevokedAt = now;
        RevokedById = actor.UserId;
        RevokedByName = actor.DisplayName;
        Version = Guid.NewGuid();
    }

    /// <summary>Notes that the audit trail now records the natural end of the window.</summary>
    public void RecordEnd(DateTimeOffset now)
    {
        if (StatusAt(now) != DelegationStatus.Ended || EndRecordedAt is not null)
        {
            throw new InvalidOperationException($"Delegation {Id} has not ended by itself, or its end was already recorded.");
        }

        EndRecordedAt = now;
        Version = Guid.NewGuid();
    }
}
