using Microsoft.AspNetCore.Components.Server.Circuits;

namespace LockboxPortal.Hosting;

/// <summary>
/// Fills the scoped <see cref="ClientContext"/>: for every HTTP request (the API, the sign-in pages, the exports), and
/// for every Blazor circuit, whose scope lives as long as the circuit while its operations run without an HttpContext.
/// The audit trail stamps every entry written in such a scope with it.
/// </summary>
public static class ClientContextSetup
{
    public static IServiceCollection AddLockboxClientContext(this IServiceCollection services)
    {
        services.AddHttpContextAccessor();
        services.AddScoped<CircuitHandler, CircuitClient>();
        return services;
    }

    /// <summary>Before anything that may write to the trail. The app uses no forwarded headers, so the address is the connection's.</summary>
    public static IApplicationBuilder UseLockboxClientContext(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            context.RequestServices.GetRequiredService<ClientContext>().Current = AccountEndpoints.ClientOf(context);
            return next(context);
        });

    /// <summary>
    /// Takes the circuit's client from the connection that opened it (the browser's WebSocket request, which carries
    /// its address and user agent), once, before any component of the circuit runs.
    /// </summary>
    private sealed class CircuitClient(ClientContext client, IHttpContextAccessor http) : CircuitHandler
    {
        public override Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
        {
            if (client.Current is null && http.HttpContext is { } context)
            {
                client.Current = AccountEndpoints.ClientOf(context);
            }

            return Task.CompletedTask;
        }
    }
}
