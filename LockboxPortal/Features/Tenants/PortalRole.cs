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
}
