namespace LockboxPortal.Features.Tenants;

/// <summary>A customer of the provider, whose content the lockbox protects.</summary>
public sealed class Tenant
{
    private Tenant()
    {
        Name = "";
        ShortName = "";
        Policy = TenantPolicy.Default;
    }

    public Tenant(Guid id, string name, string shortName, DateTimeOffset createdAt)
    {
        Id = id;
        Name = name;
        ShortName = shortName;
        CreatedAt = createdAt;
        IsActive = true;
        Policy = TenantPolicy.Default;
    }

    public Guid Id { get; private set; }

    public string Name { get; private set; }

    /// <summary>Unique across the portal; used on the command line and in references.</summary>
    public string ShortName { get; private set; }

    public bool IsActive { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public TenantPolicy Policy { get; private set; }

    public void ChangePolicy(TenantPolicy policy) => Policy = policy;
}
