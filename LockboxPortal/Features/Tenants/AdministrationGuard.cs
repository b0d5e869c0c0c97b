using System.Security.Claims;
using LockboxPortal.Authorization;
using LockboxPortal.Data;
using LockboxPortal.Features.Audit;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;

namespace LockboxPortal.Features.Tenants;

/// <summary>Authorizes an administration operation and records the refusal when it is refused.</summary>
public sealed class AdministrationGuard(IAuthorizationService authorization, AuditWriter audit)
{
    public async Task<bool> IsAllowedAsync(ClaimsPrincipal principal, AdministrationResource resource, OperationAuthorizationRequirement operation) =>
        (await authorization.AuthorizeAsync(principal, resource, operation)).Succeeded;

    public async Task EnsureAsync(
        ClaimsPrincipal principal, AdministrationResource resource, OperationAuthorizationRequirement operation,
        string subjectType, string subjectId, CancellationToken cancellationToken)
    {
        if (await IsAllowedAsync(principal, resource, operation))
        {
            return;
        }

        await audit.RecordRefusalAsync(resource.User.Actor, resource.TenantId, subjectType, subjectId, operation.Name, "forbidden",
            resource.User.Client, cancellationToken, resource.Role?.ToString());
        throw new ForbiddenException();
    }

    /// <summary>Whether the tenant has an active security officer other than <paramref name="except"/>.</summary>
    public static Task<bool> HasActiveOfficerAsync(LockboxDbContext db, Guid tenantId, string? except, CancellationToken cancellationToken) =>
        HasActiveHolderAsync(db, tenantId, PortalRole.SecurityOfficer, except, cancellationToken);

    /// <summary>Whether someone active other than <paramref name="except"/> holds <paramref name="role"/> there.</summary>
    public static Task<bool> HasActiveHolderAsync(LockboxDbContext db, Guid? tenantId, PortalRole role, string? except, CancellationToken cancellationToken) =>
        Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.AnyAsync(
            from m in db.Memberships
            join u in db.Users on m.UserId equals u.Id
            where m.TenantId == tenantId && m.Role == role && u.IsActive && m.UserId != except
            select m,
            cancellationToken);
}
