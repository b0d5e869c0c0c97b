using System.Reflection;
using System.Text.RegularExpressions;
using LockboxPortal.Data;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.Tests.Infrastructure;

/// <summary>A routable page of the app, found by its <c>@page</c> attribute.</summary>
public sealed record PortalPage(string Template, Type Component)
{
    /// <summary>Sign-in pages and the like: open without signing in.</summary>
    public bool Anonymous => Component.GetCustomAttributes<AllowAnonymousAttribute>(inherit: true).Any();
}

/// <summary>
/// Every page of the app, read from the assembly, so a page added later is walked by the accessibility and
/// screenshot runs without anyone listing it. Route parameters are filled with real ids from the demo data.
/// </summary>
public static partial class PortalPages
{
    /// <summary>Pages that exist only to show an error, reached by the app itself, not by a person.</summary>
    private static readonly string[] NotPages = ["/error", "/not-found"];

    public static IReadOnlyList<PortalPage> All() =>
        typeof(Program).Assembly.GetTypes()
            .Where(t => typeof(IComponent).IsAssignableFrom(t))
            .SelectMany(t => t.GetCustomAttributes<RouteAttribute>().Select(r => new PortalPage(r.Template, t)))
            .Where(p => !NotPages.Contains(p.Template))
            .OrderBy(p => p.Template, StringComparer.Ordinal)
            .ToList();

    /// <summary>The template with each parameter replaced by the id of something the demo data holds.</summary>
    public static async Task<string> ConcreteAsync(string template, IServiceProvider services)
    {
        await using var db = await services.GetRequiredService<IDbContextFactory<LockboxDbContext>>().CreateDbContextAsync();
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (Match parameter in RouteParameter().Matches(template))
        {
            var name = parameter.Groups["name"].Value;
            values[name] = name switch
            {
                // A request in the middle of its life (awaiting the customer), so the page shows most of what it can.
                "Id" when template.StartsWith("/requests/", StringComparison.Ordinal) =>
                    (await db.AccessRequests.OrderBy(r => r.Reference).FirstAsync(r => r.Status == Features.AccessRequests.RequestStatus.PendingCustomer)).Id.ToString(),
                "TenantId" => (await db.Tenants.OrderBy(t => t.Name).FirstAsync()).Id.ToString(),
                // The first tenant's endpoint, added once: its officer sees its delivery log, anyone else the not-found page.
                "EndpointId" => (await DemoEndpointAsync(db)).ToString(),
                _ => throw new InvalidOperationException(
                    $"No demo value for the route parameter {{{name}}} of {template}: add one to {nameof(PortalPages)}.{nameof(ConcreteAsync)}."),
            };
        }

        return RouteParameter().Replace(template, m => values[m.Groups["name"].Value]);
    }

    private static async Task<Guid> DemoEndpointAsync(LockboxDbContext db)
    {
        var tenant = await db.Tenants.OrderBy(t => t.Name).FirstAsync();
        var existing = await db.Set<Features.Webhooks.WebhookEndpoint>().Where(e => e.TenantId == tenant.Id).Select(e => (Guid?)e.Id).FirstOrDefaultAsync();
        if (existing is { } id)
        {
            return id;
        }

        var endpoint = new Features.Webhooks.WebhookEndpoint(Guid.NewGuid(), tenant.Id, Features.Webhooks.WebhookKind.Standard,
            new Uri("https://hooks.contoso.test/lockbox"), [Features.Webhooks.WebhookEvents.All.First()], "not-a-secret",
            new global::LockboxPortal.Common.Actor("demo", "Demo"), DateTimeOffset.UtcNow);
        db.Add(endpoint);
        await db.SaveChangesAsync();
        return endpoint.Id;
    }

    [GeneratedRegex(@"\{(?<name>[^}:?]+)(:(?<type>[^}?]+))?\??\}")]
    private static partial Regex RouteParameter();
}
