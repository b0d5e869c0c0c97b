using LockboxPortal.Authorization;
using LockboxPortal.Features.Tenants;
using Microsoft.AspNetCore.Authorization.Infrastructure;

namespace LockboxPortal.Features.Webhooks;

/// <summary>The operations on webhook endpoints that the authorization pipeline decides.</summary>
public static class WebhookOperations
{
    /// <summary>May the person keep webhooks anywhere (a tenant they are officer of, or the provider)?</summary>
    public static readonly OperationAuthorizationRequirement ListOwners = new() { Name = nameof(ListOwners) };
    public static readonly OperationAuthorizationRequirement ListEndpoints = new() { Name = nameof(ListEndpoints) };
    public static readonly OperationAuthorizationRequirement CreateEndpoint = new() { Name = nameof(CreateEndpoint) };
    public static readonly OperationAuthorizationRequirement ChangeEndpoint = new() { Name = nameof(ChangeEndpoint) };
    public static readonly OperationAuthorizationRequirement ViewDeliveries = new() { Name = nameof(ViewDeliveries) };
}

/// <summary>
/// What a webhook operation is about: the endpoints of one owner (a tenant, or the provider when
/// <see cref="Owner"/> is null), or one endpoint (null when the id matches none).
/// </summary>
/// <param name="OwnerFound">The tenant exists (always true for the provider); a refusal is recorded in its chain only then.</param>
public sealed record WebhookResource(ActingUser User, string SubjectId, Guid? Owner, bool OwnerFound, bool IsEndpoint, WebhookEndpoint? Endpoint = null)
    : IGuardedResource
{
    public const string Subject = "WebhookEndpoint";

    public string SubjectType => Subject;

    public string What => IsEndpoint ? "webhook endpoint" : "tenant";

    public Guid? AuditChain => OwnerFound ? Owner : null;

    /// <summary>Whether the person keeps webhooks anywhere: no one owner's, so nothing to hide.</summary>
    public bool AcrossOwners { get; init; }

    public static WebhookResource Anywhere(ActingUser user) => new(user, "", null, false, IsEndpoint: false) { AcrossOwners = true };

    /// <summary>The endpoints of a tenant, or (<paramref name="tenantId"/> null) the provider's.</summary>
    public static WebhookResource EndpointsOf(ActingUser user, Guid? tenantId, bool found) =>
        new(user, tenantId?.ToString() ?? "provider", tenantId, tenantId is null || found, IsEndpoint: false);

    /// <summary>One endpoint, or a guessed id (<paramref name="endpoint"/> null) that nobody may see.</summary>
    public static WebhookResource Of(ActingUser user, Guid endpointId, WebhookEndpoint? endpoint) =>
        new(user, endpointId.ToString(), endpoint?.TenantId, endpoint is not null, IsEndpoint: true, endpoint);
}

/// <summary>Who keeps webhooks (issue 14).</summary>
/// <remarks>
/// A tenant's endpoints hear that tenant's requests, so only its own security officers see or change them: nobody
/// else, not another tenant's officer and not the provider, may add a listener to a customer's events or read where
/// they go. The provider's endpoints hear every tenant's requests and belong to the provider's admins.
/// </remarks>
public sealed class WebhookAuthorizationHandler() : OperationHandler<WebhookResource>(IsAllowed)
{
    public static bool IsAllowed(OperationAuthorizationRequirement operation, WebhookResource resource)
    {
        var memberships = resource.User.Memberships;
        var exists = resource.OwnerFound && (!resource.IsEndpoint || resource.Endpoint is not null);
        var isOwner = exists && (resource.Owner is { } tenant
            ? memberships.HasTenantRole(tenant, PortalRole.SecurityOfficer)
            : memberships.HasProviderRole(PortalRole.ProviderAdmin));
        var keepsSomewhere = memberships.TenantsWithRole(PortalRole.SecurityOfficer).Count > 0 || memberships.HasProviderRole(PortalRole.ProviderAdmin);

        return operation.Name switch
        {
            // Someone who does not own them learns nothing about them, not even that an id exists.
            nameof(CommonOperations.See) => isOwner || resource.AcrossOwners,
            nameof(WebhookOperations.ListOwners) => keepsSomewhere,
            nameof(WebhookOperations.ListEndpoints) or nameof(WebhookOperations.CreateEndpoint) => isOwner && !resource.IsEndpoint && !resource.AcrossOwners,
            nameof(WebhookOperations.ChangeEndpoint) or nameof(WebhookOperations.ViewDeliveries) => isOwner && resource.IsEndpoint,
            _ => throw new InvalidOperationException($"Unknown webhook operation '{operation.Name}'."),
        };
    }
}
