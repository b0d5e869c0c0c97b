namespace LockboxPortal.Features.Tenants;

/// <summary>
/// One role held by one user, either on the provider (<see cref="TenantId"/> is null) or on one tenant.
/// </summary>
public sealed class Membership
{
    private Membership()
    {
        UserId = "";
    }

    public Membership(string userId, Guid? tenantId, PortalRole role)
    {
        EnsureScope(tenantId, role);
        Id = Guid.NewGuid();
        UserId = userId;
        TenantId = tenantId;
        Role = role;
    }

    public Guid Id { get; private set; }

    public string UserId { get; private set; }

    public Guid? TenantId { get; private set; }

    public PortalRole Role { get; private set; }

    /// <summary>Provider roles are held on the provider, tenant roles on a tenant; anything else is a bug.</summary>
    public static void EnsureScope(Guid? tenantId, PortalRole role)
    {
        if (tenantId is null && role.IsTenantRole())
        {
            throw new ArgumentException($"{role} is held on a tenant, not on the provider.", nameof(role));
        }

        if (tenantId is not null && role.IsProviderRole())
        {
            throw new ArgumentException($"{role} is held on the provider, not on a tenant.", nameof(role));
        }
    }
}

/// <summary>The roles one person holds, read fresh from storage for every operation.</summary>
public sealed class MembershipSet
{
    private readonly IReadOnlyList<Membership> _memberships;

    public MembershipSet(IEnumerable<Membership> memberships)
    {
        _memberships = memberships.ToList();
    }

    public static MembershipSet Empty { get; } = new([]);

    public bool HasProviderRole(PortalRole role) =>
        _memberships.Any(m => m.TenantId is null && m.Role == role);

    public bool HasTenantRole(Guid tenantId, PortalRole role) =>
        _memberships.Any(m => m.TenantId == tenantId && m.Role == role);

    public bool IsMemberOf(Guid tenantId) => _memberships.Any(m => m.TenantId == tenantId);

    public bool IsProviderStaff => _memberships.Any(m => m.TenantId is null);

    /// <summary>Every tenant this person holds any role on.</summary>
    public IReadOnlyList<Guid> Tenants => _memberships.Where(m => m.TenantId is not null).Select(m => m.TenantId!.Value).Distinct().ToList();

    public IReadOnlyList<Guid> TenantsWithRole(PortalRole role) =>
        _memberships.Where(m => m.TenantId is not null && m.Role == role).Select(m => m.TenantId!.Value).Distinct().ToList();

    public IEnumerable<PortalRole> Roles => _memberships.Select(m => m.Role).Distinct();
}
