using System.Security.Claims;
using LockboxPortal.Authorization;
using LockboxPortal.Data;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Notifications;
using LockboxPortal.Features.Tenants;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LockboxPortal.Features.Webhooks;

/// <summary>Whose endpoints a person keeps: a tenant (by name) or, <see cref="TenantId"/> null, the provider.</summary>
public sealed record WebhookOwner(Guid? TenantId, string Name);

/// <summary>What a person typed to add an endpoint.</summary>
public sealed record WebhookInput(WebhookKind Kind, string? Url, IReadOnlyCollection<string> EventTypes);

/// <summary>A new endpoint and its secret, which is shown this once.</summary>
public sealed record CreatedWebhook(WebhookEndpoint Endpoint, string Secret);

/// <summary>An endpoint and its latest delivery attempts, newest first.</summary>
public sealed record WebhookLog(WebhookEndpoint Endpoint, string OwnerName, IReadOnlyList<WebhookDelivery> Deliveries);

/// <summary>
/// Webhook endpoints of a tenant (its security officers) and of the provider (its admins). Every operation goes
/// through the gate with <see cref="WebhookAuthorizationHandler"/>; changes are one transaction with their audit entry.
/// </summary>
public sealed class WebhookService(
    LockboxTransactions transactions,
    IDbContextFactory<LockboxDbContext> dbFactory,
    OperationGate gate,
    AuditWriter audit,
    IDataProtectionProvider dataProtection,
    IOptions<WebhookSettings> settings,
    TimeProvider time)
{
    public const int LogSize = 100;

    public async Task<IReadOnlyList<WebhookOwner>> ListOwnersAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var user = await gate.ActingUserAsync(db, principal, cancellationToken);
        await gate.EnsureAsync(principal, WebhookResource.Anywhere(user), WebhookOperations.ListOwners, cancellationToken);
        var memberOf = user.Memberships.Tenants;
        var tenants = await db.Tenants.AsNoTracking().Where(t => memberOf.Contains(t.Id)).OrderBy(t => t.Name)
            .Select(t => new WebhookOwner(t.Id, t.Name)).ToListAsync(cancellationToken);
        var owners = new List<WebhookOwner> { new(null, "Provider") };
        owners.AddRange(tenants);
        return await gate.WhereAllowedAsync(principal, owners, o => WebhookResource.EndpointsOf(user, o.TenantId, found: true), WebhookOperations.ListEndpoints);
    }

    public async Task<IReadOnlyList<WebhookEndpoint>> ListAsync(ClaimsPrincipal principal, Guid? tenantId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await AuthorizeOwnerAsync(db, principal, tenantId, WebhookOperations.ListEndpoints, cancellationToken);
        return await db.Set<WebhookEndpoint>().AsNoTracking().Where(e => e.TenantId == tenantId).OrderBy(e => e.CreatedAt).ToListAsync(cancellationToken);
    }

    public Task<CreatedWebhook> CreateAsync(ClaimsPrincipal principal, Guid? tenantId, WebhookInput input, CancellationToken cancellationToken = default) =>
        transactions.RunAsync(async db =>
        {
            var user = await AuthorizeOwnerAsync(db, principal, tenantId, WebhookOperations.CreateEndpoint, cancellationToken);
            var errors = WebhookEndpoint.Validate(input.Url, input.EventTypes, out var url);
            if (url is not null && !settings.Value.AllowPrivateNetworks && WebhookNetwork.IsRefusedAtOnce(url))
            {
                errors["Url"] = [WebhookNetwork.RefusedMessage];
            }

            if (!Enum.IsDefined(input.Kind))
            {
                errors["Kind"] = ["Choose a kind of endpoint."];
            }

            if (errors.Count > 0)
            {
                throw new InvalidInputException(errors);
            }

            var secret = WebhookSecrets.NewSecret();
            var endpoint = new WebhookEndpoint(Guid.NewGuid(), tenantId, input.Kind, url!, input.EventTypes,
                WebhookSecrets.Protect(dataProtection, secret), user.Actor, time.GetUtcNow());
            db.Add(endpoint);
            await AppendAsync(db, user, endpoint, AuditEventType.Webhook_EndpointCreated, cancellationToken);
            return new CreatedWebhook(endpoint, secret);
        }, cancellationToken);

    /// <summary>Removes an endpoint; its messages not yet delivered are given up, and its delivery log goes with it.</summary>
    public Task DeleteAsync(ClaimsPrincipal principal, Guid endpointId, CancellationToken cancellationToken = default) =>
        transactions.RunAsync(async db =>
        {
            var (user, endpoint) = await AuthorizeEndpointAsync(db, principal, endpointId, WebhookOperations.ChangeEndpoint, cancellationToken);
            var now = time.GetUtcNow();
            var recipient = endpoint.Id.ToString();
            await db.OutboxMessages.Where(m => m.Recipient == recipient && m.Channel == OutboxChannel.Webhook && m.SentAt == null && m.GaveUpAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.GaveUpAt, now).SetProperty(m => m.LastError, "The endpoint was removed."), cancellationToken);
            await db.Set<WebhookDelivery>().Where(d => d.EndpointId == endpoint.Id).ExecuteDeleteAsync(cancellationToken);
            db.Remove(endpoint);
            await AppendAsync(db, user, endpoint, AuditEventType.Webhook_EndpointDeleted, cancellationToken);
        }, cancellationToken);

    /// <summary>Turns a disabled endpoint on again; the messages still waiting for it go at their next retry.</summary>
    public Task EnableAsync(ClaimsPrincipal principal, Guid endpointId, CancellationToken cancellationToken = default) =>
        transactions.RunAsync(async db =>
        {
            var (user, endpoint) = await AuthorizeEndpointAsync(db, principal, endpointId, WebhookOperations.ChangeEndpoint, cancellationToken);
            endpoint.Enable();
            await AppendAsync(db, user, endpoint, AuditEventType.Webhook_EndpointEnabled, cancellationToken);
        }, cancellationToken);

    public async Task<WebhookLog> DeliveriesAsync(ClaimsPrincipal principal, Guid endpointId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var (_, endpoint) = await AuthorizeEndpointAsync(db, principal, endpointId, WebhookOperations.ViewDeliveries, cancellationToken);
        var owner = endpoint.TenantId is { } tenantId
            ? await db.Tenants.Where(t => t.Id == tenantId).Select(t => t.Name).SingleAsync(cancellationToken)
            : "Provider";
        var deliveries = await db.Set<WebhookDelivery>().AsNoTracking().Where(d => d.EndpointId == endpointId)
            .OrderByDescending(d => d.At).ThenByDescending(d => d.Attempt).ThenByDescending(d => d.Try).Take(LogSize).ToListAsync(cancellationToken);
        return new WebhookLog(endpoint, owner, deliveries);
    }

    private async Task<ActingUser> AuthorizeOwnerAsync(
        LockboxDbContext db, ClaimsPrincipal principal, Guid? tenantId, Microsoft.AspNetCore.Authorization.Infrastructure.OperationAuthorizationRequirement operation, CancellationToken cancellationToken)
    {
        var user = await gate.ActingUserAsync(db, principal, cancellationToken);
        var found = tenantId is not { } id || await db.Tenants.AnyAsync(t => t.Id == id, cancellationToken);
        await gate.EnsureAsync(principal, WebhookResource.EndpointsOf(user, tenantId, found), operation, cancellationToken);
        return user;
    }

    private async Task<(ActingUser User, WebhookEndpoint Endpoint)> AuthorizeEndpointAsync(
        LockboxDbContext db, ClaimsPrincipal principal, Guid endpointId, Microsoft.AspNetCore.Authorization.Infrastructure.OperationAuthorizationRequirement operation, CancellationToken cancellationToken)
    {
        var user = await gate.ActingUserAsync(db, principal, cancellationToken);
        var endpoint = await db.Set<WebhookEndpoint>().SingleOrDefaultAsync(e => e.Id == endpointId, cancellationToken);
        await gate.EnsureAsync(principal, WebhookResource.Of(user, endpointId, endpoint), operation, cancellationToken);
        return (user, endpoint!);
    }

    private Task AppendAsync(LockboxDbContext db, ActingUser user, WebhookEndpoint endpoint, AuditEventType type, CancellationToken cancellationToken) =>
        audit.AppendAsync(db, new AuditRecord(
            type, user.Actor, endpoint.TenantId, WebhookResource.Subject, endpoint.Id.ToString(),
            AuditRecord.Details(new { endpoint.Url, Kind = endpoint.Kind.ToString(), EventTypes = endpoint.EventTypeList }), Client: user.Client), cancellationToken);
}
