using LockboxPortal.Authorization;
using LockboxPortal.Features.Tenants;
using Microsoft.AspNetCore.Authorization.Infrastructure;

namespace LockboxPortal.Features.Audit;

/// <summary>The operations on audit chains that the authorization pipeline decides.</summary>
public static class AuditOperations
{
    public static readonly OperationAuthorizationRequirement Read = new() { Name = nameof(Read) };
    public static readonly OperationAuthorizationRequirement Export = new() { Name = nameof(Export) };
    public static readonly OperationAuthorizationRequirement Verify = new() { Name = nameof(Verify) };

    /// <summary>Open the list of chains one may read (the audit page): for whoever reads at least one.</summary>
    public static readonly OperationAuthorizationRequirement ListChains = new() { Name = nameof(ListChains) };
}

/// <summary>
/// A chain (<see cref="TenantId"/> null is the provider's) and the person acting, as storage knows them now.
/// <see cref="TenantExists"/> is false for an id of no tenant: nobody reads it, and a refusal goes to the provider's
/// chain, so a guessed id never starts a chain of its own.
/// </summary>
public sealed record AuditChainResource(Guid? TenantId, ActingUser User, bool TenantExists = true) : IGuardedResource
{
    public Guid? AuditChain => TenantExists ? TenantId : null;

    public string SubjectType => AuditService.Subject;

    public string SubjectId => TenantId?.ToString() ?? AuditChainInfo.ProviderShortName;

    public string What => "audit trail";
}

/// <summary>
/// Who may read, export and verify which audit chain (DESIGN.md "People and roles"): a tenant's security officer
/// their tenant's chain, a provider admin the provider's chain. Nobody else, in either direction.
/// </summary>
/// <remarks>
/// The trail records who approved what, from which address; it tells an outsider how a tenant is run. Provider
/// admins deliberately do not read tenant chains: the customer decides, and the customer keeps the record.
/// Someone who is not a member of a tenant may not even learn that its chain exists.
/// </remarks>
public sealed class AuditAuthorizationHandler() : OperationHandler<AuditChainResource>(IsAllowed)
{
    public static bool IsAllowed(OperationAuthorizationRequirement operation, AuditChainResource resource)
    {
        var memberships = resource.User.Memberships;
        var mayRead = resource.TenantId is { } tenantId
            ? resource.TenantExists && memberships.HasTenantRole(tenantId, PortalRole.SecurityOfficer)
            : memberships.HasProviderRole(PortalRole.ProviderAdmin);

        return operation.Name switch
        {
            nameof(CommonOperations.See) => resource.TenantId is not { } tenant || (resource.TenantExists && memberships.IsMemberOf(tenant)),
            nameof(AuditOperations.Read) or nameof(AuditOperations.Export) or nameof(AuditOperations.Verify) => mayRead,
            nameof(AuditOperations.ListChains) =>
                memberships.HasProviderRole(PortalRole.ProviderAdmin) || memberships.TenantsWithRole(PortalRole.SecurityOfficer).Count > 0,
            _ => throw new InvalidOperationException($"Unknown audit operation '{operation.Name}'."),
        };
    }
}
