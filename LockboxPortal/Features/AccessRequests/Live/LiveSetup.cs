using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.AspNetCore.Identity;

namespace LockboxPortal.Features.AccessRequests.Live;

/// <summary>Live push: the hub, its relay, reconnection handling and the awaiting counts.</summary>
public static class LiveSetup
{
    public static IServiceCollection AddLockboxLive(this IServiceCollection services)
    {
        services.AddSignalR();
        services.AddSingleton<HubRelay>();
        services.AddHostedService(sp => sp.GetRequiredService<HubRelay>());
        services.AddScoped<LiveAudiences>();
        services.AddScoped<CircuitConnection>();
        services.AddScoped<CircuitHandler>(sp => sp.GetRequiredService<CircuitConnection>());
        services.AddScoped<AwaitingCounts>();

        // A hub client is a program, not a browser: answer 401 instead of redirecting it to the sign-in page.
        services.PostConfigure<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme, options =>
        {
            var redirect = options.Events.OnRedirectToLogin;
            options.Events.OnRedirectToLogin = context =>
            {
                if (context.Request.Path.StartsWithSegments("/hubs"))
                {
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    return Task.CompletedTask;
                }

                return redirect(context);
            };
        });
        return services;
    }

    public static IEndpointRouteBuilder MapLockboxLive(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHub<LockboxHub>(LockboxHub.Path).RequireAuthorization().Add(endpoint =>
        {
            var hub = endpoint.RequestDelegate!;
            endpoint.RequestDelegate = context => IsForeignOrigin(context.Request) ? RefuseAsync(context) : hub(context);
        });
        return endpoints;
    }

    /// <summary>
    /// A browser sends the page's Origin with every hub call and WebSocket upgrade, and the sign-in cookie goes with it
    /// whatever the page. A page of another site could otherwise listen as the signed-in person (cross-site WebSocket
    /// hijacking), so a call whose Origin is not this portal's own address is refused; a program that sends no Origin
    /// still needs the cookie.
    /// </summary>
    public static bool IsForeignOrigin(HttpRequest request)
    {
        var origin = request.Headers.Origin.ToString();
        if (string.IsNullOrEmpty(origin))
        {
            return false;
        }

        return !Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            || !string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
    }

    private static Task RefuseAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        return context.Response.WriteAsync("Calls to the hub are accepted only from the portal's own pages.");
    }
}
