using LockboxPortal.Features.Tenants;
using Microsoft.AspNetCore.Authorization;

namespace LockboxPortal.Authorization;

/// <summary>
/// Policy names for pages and endpoints. A policy only says a person holds the role somewhere; which tenant
/// and which request they may act on is decided again, from storage, by the services.
/// </summary>
public static class Policies
{
    public const string Engineer = nameof(PortalRole.Engineer);
    public const string EngineeringManager = nameof(PortalRole.EngineeringManager);
    public const string ProviderAdmin = nameof(PortalRole.ProviderAdmin);
    public const string TenantAdmin = nameof(PortalRole.TenantAdmin);
    public const string SecurityOfficer = nameof(PortalRole.SecurityOfficer);

    /// <summary>A TenantAdmin or SecurityOfficer of some tenant (delegations, active grants); the services decide which tenant.</summary>
    public const string TenantStaff = nameof(TenantStaff);
    /// <summary>Holds a role that reads some audit chain; which chain is decided by the audit service.</summary>
    public const string AuditReader = nameof(AuditReader);
    /// <summary>Keeps webhooks somewhere: a tenant's security officer or a provider admin; the webhook service decides whose.</summary>
    public const string WebhookKeeper = nameof(WebhookKeeper);

    public static void AddLockboxPolicies(this AuthorizationOptions options)
    {
        foreach (var role in Enum.GetValues<PortalRole>())
        {
            options.AddPolicy(role.ToString(), policy => policy.RequireAuthenticatedUser().RequireClaim(LockboxClaims.Role, role.ToString()));
        }

        options.AddPolicy(TenantStaff, policy => policy.RequireAuthenticatedUser()
            .RequireClaim(LockboxClaims.Role, nameof(PortalRole.TenantAdmin), nameof(PortalRole.SecurityOfficer)));
        options.AddPolicy(AuditReader, policy => policy.RequireAuthenticatedUser()
            .RequireClaim(LockboxClaims.Role, nameof(PortalRole.SecurityOfficer), nameof(PortalRole.ProviderAdmin)));
        options.AddPolicy(WebhookKeeper, policy => policy.RequireAuthenticatedUser()
            .RequireClaim(LockboxClaims.Role, nameof(PortalRole.SecurityOfficer), nameof(PortalRole.ProviderAdmin)));

        // Every page needs a signed-in person unless it says [AllowAnonymous].
        options.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build();
    }
}

public static class LockboxClaims
{
    /// <summary>A role the person holds on the provider or on at least one tenant.</summary>
    public const string Role = "lockbox:role";

    public const string DisplayName = "lockbox:name";
}
