using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;

namespace LockboxPortal.Authorization;

/// <summary>
/// A feature's resource handler: succeeds exactly when the feature's rule allows the operation. The rule is a plain
/// static function, so the matrix tests can call it cell by cell, and a switch in it throws on an unknown operation.
/// </summary>
public abstract class OperationHandler<TResource>(Func<OperationAuthorizationRequirement, TResource, bool> isAllowed)
    : AuthorizationHandler<OperationAuthorizationRequirement, TResource>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, OperationAuthorizationRequirement requirement, TResource resource)
    {
        if (isAllowed(requirement, resource))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
