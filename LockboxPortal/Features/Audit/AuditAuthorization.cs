using LockboxPortal.Authorization;
using LockboxPortal.Features.Tenants;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;

namespace LockboxPortal.Features.Audit;

/// <summary>The operations on an audit chain that the authorization pipeline decides.</summary>
public static class AuditOperations
{
    public static readonly OperationAuthorizationRequirement Read = new() { Name = nameof(Read) };
    public static readonly OperationAuthorizationRequirement Export = new() { Name = nameof(Export) };
    public static readonly OperationAuthorizationRequirement Verify = new() { Name = nameof(Verify) };
}

/// <summary>A chain (<see cref="TenantId"/> null is the provider's) and the person acting, as storage knows them now.</summary>
public sealed record AuditChainResource(Guid? TenantId, ActingUser User);

/// <summary>
/// Who may read, export and verify which audit chain (DESIGN.md "People and roles"): a tenant's security officer
/// their tenant's chain, a provider admin the provider's chain. Nobody else, in either direction.
/// </summary>
/// <remarks>
/// The trail records who approved what, from which address; it tells an outsider how a tenant is run. Provider
/// admins deliberately do not read tenant chains: the customer decides, and the customer keeps the record.
/// </remarks>
public sealed class AuditAuthorizationHandler : AuthorizationHandler<OperationAuthorizationRequirement, AuditChainResource>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, OperationAuthorizationRequirement requirement, AuditChainResource resource)
    {
        if (IsAllowed(requirement, resource))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }

    public static bool IsAllowed(OperationAuthorizationRequirement operation, AuditChainResource resource)
    {
        var memberships = resource.User.Memberships;
        var mayRead = resource.TenantId is { } tenantId
            ? memberships.HasTenantRole(tenantId, PortalRole.SecurityOfficer)
            : memberships.HasProviderRole(PortalRole.ProviderAdmin);

        return operation.Name switch
        {
            nameof(AuditOperations.Read) or nameof(AuditOperations.Export) or nameof(AuditOperations.Verify) => mayRead,
            _ => throw new InvalidOperationException($"Unknown audit operation '{operation.Name}'."),
        };
    }
}
