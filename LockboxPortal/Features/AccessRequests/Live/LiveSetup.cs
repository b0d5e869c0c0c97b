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
        endpoints.MapHub<LockboxHub>(LockboxHub.Path).RequireAuthorization();
        return endpoints;
    }
}
