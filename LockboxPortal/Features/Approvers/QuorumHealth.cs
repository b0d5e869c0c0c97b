using LockboxPortal.Data;
using LockboxPortal.Features.Tenants;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Features.Approvers;

/// <summary>Where one person on the approver list stands right now.</summary>
public enum DeciderState
{
    /// <summary>May decide themselves.</summary>
    CanDecide,

    /// <summary>Cannot decide themselves (no second factor where one is required), but an active delegate may for them.</summary>
    CoveredByDelegate,

    Deactivated,

    /// <summary>Still on the list, but no longer a TenantAdmin of the tenant.</summary>
    NotTenantAdmin,

    /// <summary>The tenant requires two-factor sign-in and they have no authenticator, passkey or directory sign-in.</summary>
    NoSecondFactor,
}

/// <summary>One approver and whether their approval can be given now, by them or by a delegate (<see cref="CoveredBy"/>).</summary>
public sealed record DeciderStanding(Actor Person, DeciderState State, Actor? CoveredBy = null)
{
    public bool Counts => State is DeciderState.CanDecide or DeciderState.CoveredByDelegate;

    /// <summary>The standing in words, as the policy page's "Right now" column and the officers' warning say it.</summary>
    public string Words => State switch
    {
        DeciderState.CanDecide => "Can decide",
        DeciderState.CoveredByDelegate => $"Covered by {CoveredBy!.DisplayName}",
        DeciderState.Deactivated => "Deactivated",
        DeciderState.NotTenantAdmin => "No longer a TenantAdmin",
        DeciderState.NoSecondFactor => "Cannot decide: no second factor",
        _ => State.ToString(),
    };
}

/// <summary>How far a tenant's approvers are from stopping approvals, from healthy to worst.</summary>
public enum QuorumLevel
{
    /// <summary>At least quorum + 1 can decide: one absence stops nothing.</summary>
    Healthy,

    /// <summary>Exactly enough can decide: one more absence and nothing can be approved.</summary>
    AtRisk,

    /// <summary>Fewer than the quorum can decide: no request can be approved now.</summary>
    Unmet,
}

/// <summary>
/// How many approvals a tenant can gather right now against its quorum: each approver on the list counts once,
/// when they may decide or an active delegate may for them. Below <see cref="Quorum"/> nothing can be approved;
/// below quorum + 1 one more absence stops approvals, so the officers are warned.
/// </summary>
public sealed record QuorumHealth(int Quorum, IReadOnlyList<DeciderStanding> Approvers)
{
    public int CanDecide => Approvers.Count(a => a.Counts);

    public bool CanBeMet => CanDecide >= Quorum;

    public bool AtRisk => CanDecide < Quorum + 1;

    public QuorumLevel Level => !CanBeMet ? QuorumLevel.Unmet : AtRisk ? QuorumLevel.AtRisk : QuorumLevel.Healthy;

    /// <summary>Whether a request needing <paramref name="approvals"/> (a reason's higher quorum) can be approved now.</summary>
    public bool CanMeet(int approvals) => CanDecide >= approvals;

    /// <summary>The health of each of <paramref name="tenants"/>, read in a few queries whatever their number.</summary>
    public static async Task<IReadOnlyDictionary<Guid, QuorumHealth>> ForAsync(
        LockboxDbContext db, IReadOnlyCollection<Tenant> tenants, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var ids = tenants.Select(t => t.Id).ToList();
        var listed = await db.ApproverListEntries.AsNoTracking().Where(e => ids.Contains(e.TenantId))
            .Select(e => new { e.TenantId, e.UserId }).ToListAsync(cancellationToken);
        var delegations = (await db.Delegations.AsNoTracking()
                .Where(d => ids.Contains(d.TenantId) && d.RevokedAt == null && d.StartsAt <= now)
                .ToListAsync(cancellationToken))
            .Where(d => d.IsActiveAt(now))
            .ToList();
        var people = listed.Select(e => e.UserId).Concat(delegations.Select(d => d.DelegateId)).Distinct().ToList();
        var users = await db.Users.AsNoTracking().Where(u => people.Contains(u.Id)).ToDictionaryAsync(u => u.Id, cancellationToken);
        var admins = (await db.Memberships.AsNoTracking()
                .Where(m => people.Contains(m.UserId) && m.TenantId != null && ids.Contains(m.TenantId.Value) && m.Role == PortalRole.TenantAdmin)
                .Select(m => new { m.UserId, TenantId = m.TenantId!.Value })
                .ToListAsync(cancellationToken))
            .Select(m => (m.UserId, m.TenantId)).ToHashSet();
        var withFactor = (await db.UserPasskeys.AsNoTracking().Where(p => people.Contains(p.UserId)).Select(p => p.UserId).ToListAsync(cancellationToken))
            .Concat(await db.UserLogins.AsNoTracking().Where(l => people.Contains(l.UserId)).Select(l => l.UserId).ToListAsync(cancellationToken))
            .Concat(users.Values.Where(u => u.TwoFactorEnabled).Select(u => u.Id))
            .ToHashSet(StringComparer.Ordinal);

        var result = new Dictionary<Guid, QuorumHealth>();
        foreach (var tenant in tenants)
        {
            var requireFactor = tenant.Policy.RequireTwoFactor;
            bool Able(string userId) =>
                users.TryGetValue(userId, out var u) && u.IsActive && admins.Contains((userId, tenant.Id)) && (!requireFactor || withFactor.Contains(userId));

            var standings = listed.Where(e => e.TenantId == tenant.Id && users.ContainsKey(e.UserId))
                .Select(e =>
                {
                    var user = users[e.UserId];
                    if (!user.IsActive)
                    {
                        return new DeciderStanding(user.ToActor(), DeciderState.Deactivated);
                    }

                    if (!admins.Contains((user.Id, tenant.Id)))
                    {
                        return new DeciderStanding(user.ToActor(), DeciderState.NotTenantAdmin);
                    }

                    if (Able(user.Id))
                    {
                        return new DeciderStanding(user.ToActor(), DeciderState.CanDecide);
                    }

                    var cover = delegations.Where(d => d.TenantId == tenant.Id && d.DelegatorId == user.Id && Able(d.DelegateId))
                        .Select(d => users[d.DelegateId].ToActor()).FirstOrDefault();
                    return new DeciderStanding(user.ToActor(), cover is null ? DeciderState.NoSecondFactor : DeciderState.CoveredByDelegate, cover);
                })
                .OrderBy(s => s.Person.DisplayName, StringComparer.CurrentCulture)
                .ToList();
            result[tenant.Id] = new QuorumHealth(tenant.Policy.RequiredApprovals, standings);
        }

        return result;
    }
}
