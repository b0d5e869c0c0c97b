namespace LockboxPortal.Features.Tenants;

/// <summary>The five roles of DESIGN.md. Provider roles are held on the provider, tenant roles per tenant.</summary>
public enum PortalRole
{
    Engineer,
    EngineeringManager,
    ProviderAdmin,
    TenantAdmin,
    SecurityOfficer,
}

public static class PortalRoles
{
    public static bool IsProviderRole(this PortalRole role) =>
        role is PortalRole.Engineer or PortalRole.EngineeringManager or PortalRole.ProviderAdmin;

    public static bool IsTenantRole(this PortalRole role) => !role.IsProviderRole();

    /// <summary>The role in plain words, as pages show it.</summary>
    public static string Words(this PortalRole role) => role switch
    {
        PortalRole.Engineer => "Engineer",
        PortalRole.EngineeringManager => "Engineering manager",
        PortalRole.ProviderAdmin => "Provider admin",
        PortalRole.TenantAdmin => "Tenant admin",
        PortalRole.SecurityOfficer => "Security officer",
        _ => role.ToString(),
    };
}
