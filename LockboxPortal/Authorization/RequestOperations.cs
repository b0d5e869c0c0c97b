using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Approvers;
using LockboxPortal.Features.Tenants;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;

namespace LockboxPortal.Authorization;

/// <summary>The operations on an access request that the authorization pipeline decides.</summary>
public static class RequestOperations
{
    public static readonly OperationAuthorizationRequirement View = new() { Name = nameof(View) };
    public static readonly OperationAuthorizationRequirement DecideInternal = new() { Name = nameof(DecideInternal) };
    public static readonly OperationAuthorizationRequirement DecideCustomer = new() { Name = nameof(DecideCustomer) };
    public static readonly OperationAuthorizationRequirement Cancel = new() { Name = nameof(Cancel) };
    public static readonly OperationAuthorizationRequirement Revoke = new() { Name = nameof(Revoke) };
    public static readonly OperationAuthorizationRequirement Release = new() { Name = nameof(Release) };
}

/// <summary>The request, the person acting as storage knows them now, and their customer-stage authority.</summary>
public sealed record RequestResource(AccessRequest Request, ActingUser User, ApprovalAuthority Authority);

/// <summary>
/// Who may do what to a request (DESIGN.md "People and roles"). The state machine then decides whether the
/// request's state allows it; this handler only answers whether the person may try.
/// </summary>
/// <remarks>
/// Tenant roles are checked against the request's own tenant, never "any tenant": an MSP operator who
/// administers two tenants must not approve for one with the authority of the other.
/// </remarks>
public sealed class RequestAuthorizationHandler : AuthorizationHandler<OperationAuthorizationRequirement, RequestResource>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, OperationAuthorizationRequirement requirement, RequestResource resource)
    {
        if (IsAllowed(requirement, resource))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }

    public static bool IsAllowed(OperationAuthorizationRequirement operation, RequestResource resource)
    {
        var (request, user, authority) = resource;
        var memberships = user.Memberships;
        var isRequester = string.Equals(request.RequesterId, user.UserId, StringComparison.Ordinal);
        var isTenantApprover = memberships.HasTenantRole(request.TenantId, PortalRole.TenantAdmin) && authority.CanDecide;
        var isTenantOfficer = memberships.HasTenantRole(request.TenantId, PortalRole.SecurityOfficer);

        return operation.Name switch
        {
            nameof(RequestOperations.View) =>
                (isRequester && memberships.HasProviderRole(PortalRole.Engineer))
                || memberships.HasProviderRole(PortalRole.EngineeringManager)
                || memberships.HasTenantRole(request.TenantId, PortalRole.TenantAdmin)
                || isTenantOfficer,
            nameof(RequestOperations.DecideInternal) => memberships.HasProviderRole(PortalRole.EngineeringManager),
            nameof(RequestOperations.DecideCustomer) => isTenantApprover,
            nameof(RequestOperations.Cancel) or nameof(RequestOperations.Release) =>
                isRequester && memberships.HasProviderRole(PortalRole.Engineer),
            nameof(RequestOperations.Revoke) => isTenantApprover || isTenantOfficer,
            _ => throw new InvalidOperationException($"Unknown request operation '{operation.Name}'."),
        };
    }
}
