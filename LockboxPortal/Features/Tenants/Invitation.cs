using LockboxPortal.Features.AccessRequests;

namespace LockboxPortal.Features.Tenants;

public enum InvitationStatus
{
    Pending,
    Accepted,
    Revoked,
    Expired,
}

/// <summary>
/// A one-time link that lets a person set their own password and take one role, on the provider
/// (<see cref="TenantId"/> null) or on one tenant. Only the token's hash is stored.
/// </summary>
public sealed class Invitation
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(72);

    private Invitation()
    {
        Email = "";
        DisplayName = "";
        TokenHash = "";
        InvitedById = "";
        InvitedByName = "";
    }

    public Invitation(string tokenHash, string email, string displayName, Guid? tenantId, PortalRole role, Actor invitedBy, DateTimeOffset now)
    {
        Membership.EnsureScope(tenantId, role);
        Id = Guid.NewGuid();
        TokenHash = tokenHash;
        Email = email;
        DisplayName = displayName;
        TenantId = tenantId;
        Role = role;
        InvitedById = invitedBy.UserId;
        InvitedByName = invitedBy.DisplayName;
        CreatedAt = now;
        ExpiresAt = now + Lifetime;
        Version = Guid.NewGuid();
    }

    public Guid Id { get; private set; }

    /// <summary>Lower-case hex SHA-256 of the token in the link.</summary>
    public string TokenHash { get; private set; }

    public string Email { get; private set; }

    public string DisplayName { get; private set; }

    public Guid? TenantId { get; private set; }

    public PortalRole Role { get; private set; }

    public string InvitedById { get; private set; }

    public string InvitedByName { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset ExpiresAt { get; private set; }

    public DateTimeOffset? AcceptedAt { get; private set; }

    public string? AcceptedUserId { get; private set; }

    public DateTimeOffset? RevokedAt { get; private set; }

    public string? RevokedByName { get; private set; }

    /// <summary>Changes on every transition, so two acceptances of one link cannot both be saved.</summary>
    public Guid Version { get; private set; }

    public InvitationStatus StatusAt(DateTimeOffset now) =>
        AcceptedAt is not null ? InvitationStatus.Accepted
        : RevokedAt is not null ? InvitationStatus.Revoked
        : now >= ExpiresAt ? InvitationStatus.Expired
        : InvitationStatus.Pending;

    public void Accept(string userId, DateTimeOffset now)
    {
        EnsurePending(now);
        AcceptedAt = now;
        AcceptedUserId = userId;
        Version = Guid.NewGuid();
    }

    public void Revoke(Actor actor, DateTimeOffset now)
    {
        EnsurePending(now);
        RevokedAt = now;
        RevokedByName = actor.DisplayName;
        Version = Guid.NewGuid();
    }

    private void EnsurePending(DateTimeOffset now)
    {
        var status = StatusAt(now);
        if (status != InvitationStatus.Pending)
        {
            throw new InvitationNotUsableException(status);
        }
    }
}

/// <summary>The invitation was already used, revoked, or has expired (or the link is not one at all).</summary>
public sealed class InvitationNotUsableException(InvitationStatus? status, string? message = null) : LockboxRuleException(message ?? status switch
{
    InvitationStatus.Accepted => "This invitation has already been used.",
    InvitationStatus.Revoked => "This invitation was revoked.",
    InvitationStatus.Expired => "This invitation has expired; ask for a new one.",
    _ => "This invitation link is not valid.",
})
{
    public InvitationStatus? Status { get; } = status;

    public override string Code => "invitation-not-usable";
}
