using LockboxPortal.Authorization;
using LockboxPortal.Features.Tenants;
using Microsoft.AspNetCore.Authorization.Infrastructure;

namespace LockboxPortal.Features.ApiTokens;

/// <summary>The operations on API tokens and service clients that the authorization pipeline decides.</summary>
public static class ApiTokenOperations
{
    public static readonly OperationAuthorizationRequirement CreatePersonal = new() { Name = nameof(CreatePersonal) };
    public static readonly OperationAuthorizationRequirement ListMine = new() { Name = nameof(ListMine) };
    public static readonly OperationAuthorizationRequirement CreateServiceClient = new() { Name = nameof(CreateServiceClient) };
    public static readonly OperationAuthorizationRequirement ListServiceClients = new() { Name = nameof(ListServiceClients) };
    public static readonly OperationAuthorizationRequirement Revoke = new() { Name = nameof(Revoke) };
}

/// <summary>
/// The person acting and, for an operation on one token, its id and the token (null when no token has that id).
/// Refusals go to the provider's trail: tokens belong to people and the provider, not to a tenant.
/// </summary>
public sealed record ApiTokenResource(ActingUser User, Guid? TokenId = null, ApiToken? Token = null) : IGuardedResource
{
    public Guid? AuditChain => null;

    public string SubjectType => ApiTokenService.Subject;

    public string SubjectId => TokenId?.ToString() ?? "";

    public string What => "token";
}

/// <summary>
/// Who may do what with API tokens: anyone signed in makes and lists their own personal tokens (which act with their
/// own roles, checked again on every call); only a ProviderAdmin makes, lists and revokes service clients; a personal
/// token is revoked by its owner alone.
/// </summary>
/// <remarks>
/// A service client may call the access check for every tenant, so it is the provider's to hand out. A personal token
/// is its owner's secret: not even a ProviderAdmin learns that one exists, so another's token is "not found".
/// </remarks>
public sealed class ApiTokenAuthorizationHandler() : OperationHandler<ApiTokenResource>(IsAllowed)
{
    public static bool IsAllowed(OperationAuthorizationRequirement operation, ApiTokenResource resource)
    {
        var (user, tokenId, token) = resource;
        var isProviderAdmin = user.Memberships.HasProviderRole(PortalRole.ProviderAdmin);
        var managesToken = token is not null && (token.Kind == ApiTokenKind.Personal
            ? string.Equals(token.OwnerId, user.UserId, StringComparison.Ordinal)
            : isProviderAdmin);

        return operation.Name switch
        {
            nameof(CommonOperations.See) => tokenId is null || managesToken,
            nameof(ApiTokenOperations.CreatePersonal) or nameof(ApiTokenOperations.ListMine) => true,
            nameof(ApiTokenOperations.CreateServiceClient) or nameof(ApiTokenOperations.ListServiceClients) => isProviderAdmin,
            nameof(ApiTokenOperations.Revoke) => managesToken,
            _ => throw new InvalidOperationException($"Unknown API token operation '{operation.Name}'."),
        };
    }
}
